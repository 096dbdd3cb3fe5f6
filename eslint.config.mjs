// ESLint (flat config): typescript-eslint's recommended rules, and the layering of server/ and client/ as a rule
// (scripts/eslint/layers.mjs), so imports keep flowing one way. What runs where:
//   server/src/core/   the library every front end calls; no process of its own
//     engine          pure: itself, schemas/, yaml and ajv; no I/O, no editor, no cluster (everywhere)
//     shared          the client/server contract (protocol, settings, bounded workspace reads); engine types
//     live            the live cluster (kubeconfig, API, dry run); engine, shared
//     render          Helm charts and kustomize overlays rendered by the real binaries; engine, shared
//     stores          secret stores (GitHub, GitLab, Vault, file); only the pure engine (extension host, CLI)
//     lifecycle       create, rotate, revoke a pipeline identity; engine, live, shared, stores (extension host, CLI)
//     inventory       the identities model the tree and `identities` show; lifecycle and what it may use
//     verify          a dry run of manifests as an identity; lifecycle, live, engine, shared (extension host, CLI)
//     reach           pure graph: what an identity can become and who can become it; only the engine (everywhere)
//   server/src/lsp/    the language server process (server/src/server.ts); engine, live, shared, render
//   server/src/cli/    the command line process; every core folder
//   client/src/        the extension host; the core only through one facade per folder (server/src/core/<name>/index.ts)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint/layers.mjs';

const S = 'server/src';
const C = `${S}/core`;
const EDITOR_ONLY = { packages: ['vscode', 'vscode-languageclient'], why: 'the editor API belongs to client/' };
const LSP_ONLY = { packages: ['vscode-languageserver', 'vscode-languageserver-textdocument'], why: 'the LSP library belongs to lsp/' };
const core = (...names) => names.map((d) => `${C}/${d}`);
const CORE = core('engine', 'shared', 'live', 'stores', 'lifecycle', 'inventory', 'render', 'verify', 'reach');
const NOT_EDITOR_OR_LSP = [EDITOR_ONLY, LSP_ONLY];
// The cluster and store clients are reached through the core's facades, so the client never depends on their shapes.
const CORE_ONLY = { packages: ['@kubernetes/client-node', '@octokit/rest', '@gitbeaker/rest', '@gitbeaker/requester-utils', 'libsodium-wrappers'], why: 'cluster and store clients are reached through server/src/core' };

const LAYERS = {
  [`${C}/engine`]: { may: [...core('engine'), 'schemas'], packages: ['yaml', 'ajv'] },
  [`${C}/reach`]: { may: core('reach', 'engine'), packages: [] },
  [`${C}/shared`]: { may: core('shared', 'engine'), deny: NOT_EDITOR_OR_LSP },
  [`${C}/live`]: { may: core('live', 'engine', 'shared'), deny: NOT_EDITOR_OR_LSP },
  [`${C}/render`]: { may: core('render', 'engine', 'shared'), deny: NOT_EDITOR_OR_LSP },
  [`${C}/stores`]: { may: core('stores', 'engine'), deny: NOT_EDITOR_OR_LSP },
  [`${C}/lifecycle`]: { may: core('lifecycle', 'engine', 'live', 'shared', 'stores'), deny: NOT_EDITOR_OR_LSP },
  [`${C}/inventory`]: { may: core('inventory', 'lifecycle', 'engine', 'live', 'shared', 'stores'), deny: NOT_EDITOR_OR_LSP },
  [`${C}/verify`]: { may: core('verify', 'lifecycle', 'live', 'engine', 'shared'), deny: NOT_EDITOR_OR_LSP },
  [`${S}/lsp`]: { may: [`${S}/lsp`, ...core('engine', 'live', 'shared', 'render')], deny: [EDITOR_ONLY] },
  [`${S}/server.ts`]: { may: [`${S}/lsp`, ...core('shared')], deny: [EDITOR_ONLY] },
  [`${S}/cli`]: { may: [`${S}/cli`, ...CORE], deny: NOT_EDITOR_OR_LSP },
  'client/src': { may: ['client/src', ...CORE], facades: CORE, deny: [LSP_ONLY, CORE_ONLY] },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**', '.bench/**', '.cluster/**', '.prof/**', 'server/src/core/engine/schema/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', require: 'readonly', __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', performance: 'readonly' } },
    rules: {
      // TypeScript checks these (tsc -b, strict), with knowledge of types ESLint lacks.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Best-effort cleanup (`catch {}`) is deliberate; an empty if or loop body is still an error.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Cosmetic: literal spaces in a regex that matches YAML indentation read as the indentation they match.
      'no-regex-spaces': 'off',
      // Flags a default given before a try whose catch returns; the default documents the variable's type.
      'no-useless-assignment': 'off',
    },
  },
  {
    // These load a sibling bundle by its path at run time, which is what keeps it out of the bundle that loads it.
    files: ['client/src/main.ts', 'client/src/stack/lazyStack.ts', 'client/src/commands/registerCommands.ts', 'server/src/cli/bundles.ts', 'server/src/core/live/clusterLoader.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Escaping control characters is the point of these (terminal output of untrusted text).
    files: ['server/src/core/shared/controlChars.ts', 'test/**'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Tests install module-loader hooks (a fake `vscode`) and then require the module under test.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Small modules with one job: no file over 400 lines, no function over 150 (the team's style guide). A test's
    // describe() callback is a list of cases, not a function with one job, so tests get the file limit only.
    files: ['server/src/**/*.ts', 'client/src/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.ts'],
    ignores: ['server/src/core/engine/schema/generated/**'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 150 }],
    },
  },
  {
    files: ['test/**/*.ts', 'test/**/*.mjs'],
    rules: { 'max-lines': ['error', { max: 400 }] },
  },
  {
    files: ['server/src/**/*.ts', 'client/src/**/*.ts'],
    plugins: { layers },
    rules: { 'layers/imports': ['error', { root: import.meta.dirname, layers: LAYERS, checked: ['server/src', 'client/src'] }] },
  },
);
