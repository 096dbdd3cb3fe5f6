// Bundles the extension client, the language server and the CLI to CommonJS.
// Several dependencies are ESM-only, and VS Code 1.100 loads extensions as CommonJS.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const entries = [
  // The extension: a small entry that forks the language server at once (client/src/main.ts), the activation bundle
  // it then loads, and the identity stack that loads on first use (client/src/stack/lazyStack.ts).
  { in: 'client/src/main.ts', out: 'client' },
  { in: 'client/src/extension.ts', out: 'client-main' },
  { in: 'client/src/stack/identityStack.ts', out: 'identity' },
  // "Generate Least-Privilege Role" (the engine and the YAML parser), loaded on its first use.
  { in: 'client/src/commands/leastPrivilegeCommand.ts', out: 'least-privilege' },
  // The CLI: a small dispatcher and one bundle per kind of command (server/src/cli/bundles.ts).
  { in: 'server/src/cli/main.ts', out: 'cli' },
  { in: 'server/src/cli/check.ts', out: 'cli-check' },
  { in: 'server/src/cli/clusterCommands.ts', out: 'cli-cluster' },
  { in: 'server/src/cli/checkWorker.ts', out: 'checkWorker' },
  // The language server's workspace indexing, on a worker thread (server/src/lsp/indexInWorker.ts).
  { in: 'server/src/lsp/indexWorker.ts', out: 'indexWorker' },
];

const options = {
  entryPoints: entries.map((e) => ({ in: e.in, out: e.out })),
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
  // ESM-only dependencies use import.meta.url; give the CJS bundle an equivalent.
  define: { 'import.meta.url': 'importMetaUrl', PIPELINE_RBAC_VERSION: JSON.stringify(pkg.version) },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  metafile: true,
  // yaml's Node build reads process.env.LOG_TOKENS for every token it parses; its browser build is the same parser
  // without that read, and parses about a third faster.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
};

// The language server: the Kubernetes client in a sibling bundle it loads after its first offline diagnostics
// (server/src/core/live/clusterLoader.ts); every other bundle has it inline (the define is undefined there).
const serverOptions = {
  ...options,
  entryPoints: [
    { in: 'server/src/server.ts', out: 'server' },
    { in: 'server/src/core/live/clusterModules.ts', out: 'server-cluster' },
  ],
  define: { ...options.define, PIPELINE_RBAC_CLUSTER_BUNDLE: JSON.stringify('server-cluster.js') },
};
options.define = { ...options.define, PIPELINE_RBAC_CLUSTER_BUNDLE: 'undefined' };

if (watch) {
  for (const o of [options, serverOptions]) await (await esbuild.context(o)).watch();
  console.log('esbuild: watching for changes...');
} else {
  for (const o of [options, serverOptions]) {
    const result = await esbuild.build(o);
    const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js'));
    // On stderr: `npm pack` runs this as its prepack script and prints the tarball's name (or --json) on stdout.
    for (const [file, info] of outputs) console.error(`built ${file} (${(info.bytes / 1024).toFixed(0)} KiB)`);
  }
}
