// ESLint (flat config): typescript-eslint's recommended rules, and the layering of server/ and client/ as a rule
// (scripts/eslint/layers.mjs), so imports keep flowing one way:
//   engine      pure: itself, schemas/, yaml and ajv; no I/O, no editor, no cluster
//   shared      the client/server contract (protocol, settings); engine types
//   live        the live cluster (kubeconfig, API, dry run); engine, shared
//   lsp         the language server; engine, live, shared
//   stores      secret stores (GitHub, GitLab, Vault, file); nothing of ours
//   render      Helm charts and kustomize overlays rendered by the real binaries; engine, shared
//   verify      a dry run of manifests as an identity; identity, live, engine, shared
//   identity    the identity lifecycle (create, rotate, revoke); engine, live, shared, stores
//   identities  the inventory the tree shows; identity and what it may use
//   cli         the command line; every core layer but lsp
//   client      the extension host; the core only through one facade per subsystem (server/src/<name>/index.ts)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint/layers.mjs';

const S = 'server/src';
const EDITOR_ONLY = { packages: ['vscode', 'vscode-languageclient'], why: 'the editor API belongs to client/' };
const LSP_ONLY = { packages: ['vscode-languageserver', 'vscode-languageserver-textdocument'], why: 'the LSP library belongs to lsp/' };
const CORE = ['engine', 'shared', 'live', 'stores', 'identity', 'identities', 'render', 'verify'].map((d) => `${S}/${d}`);

const LAYERS = {
  [`${S}/engine`]: { may: [`${S}/engine`, 'schemas'], packages: ['yaml', 'ajv'] },
  [`${S}/shared`]: { may: [`${S}/shared`, `${S}/engine`], deny: [EDITOR_ONLY, LSP_ONLY] },
  [`${S}/live`]: { may: [`${S}/live`, `${S}/engine`, `${S}/shared`], deny: [EDITOR_ONLY, LSP_ONLY] },
  [`${S}/lsp`]: { may: [`${S}/lsp`, `${S}/engine`, `${S}/live`, `${S}/shared`, `${S}/render`], deny: [EDITOR_ONLY] },
  [`${S}/render`]: { may: [`${S}/render`, `${S}/engine`, `${S}/shared`], deny: [EDITOR_ONLY, LSP_ONLY] },
  [`${S}/verify`]: { may: [`${S}/verify`, `${S}/identity`, `${S}/live`, `${S}/engine`, `${S}/shared`], deny: [EDITOR_ONLY, LSP_ONLY] },
  [`${S}/server.ts`]: { may: [`${S}/lsp`, `${S}/shared`], deny: [EDITOR_ONLY] },
  [`${S}/stores`]: { may: [`${S}/stores`], deny: [EDITOR_ONLY, LSP_ONLY] },
  [`${S}/identity`]: { may: [`${S}/identity`, `${S}/engine`, `${S}/live`, `${S}/shared`, `${S}/stores`], deny: [EDITOR_ONLY, LSP_ONLY] },
  [`${S}/identities`]: { may: [`${S}/identities`, `${S}/identity`, `${S}/engine`, `${S}/live`, `${S}/shared`, `${S}/stores`], deny: [EDITOR_ONLY, LSP_ONLY] },
  [`${S}/cli`]: { may: [`${S}/cli`, ...CORE], deny: [EDITOR_ONLY, LSP_ONLY] },
  'client/src': { may: ['client/src', ...CORE], facades: CORE, deny: [LSP_ONLY] },
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**', '.bench/**', '.cluster/**', '.prof/**', 'server/src/engine/schema/generated/**'] },
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
    files: ['client/src/stack/lazyStack.ts', 'client/src/commands/registerCommands.ts', 'server/src/cli/bundles.ts', 'server/src/live/clusterLoader.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Escaping control characters is the point of these (terminal output of untrusted text).
    files: ['server/src/shared/controlChars.ts', 'test/**'],
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
    ignores: ['server/src/engine/schema/generated/**'],
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
