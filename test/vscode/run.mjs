// Runs the extension-host suite in a desktop VS Code through @vscode/test-electron.
// It needs a VS Code build: PIPELINE_RBAC_VSCODE=/path/to/code, or a download from the VS Code update service.
// Where neither can be had (no display, no internet), it says so in one line and exits 0 without pretending.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

async function reachable(url, ms) {
  try {
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(ms) });
    return res.status < 500;
  } catch {
    return false;
  }
}

const explicit = process.env.PIPELINE_RBAC_VSCODE;
if (explicit && !existsSync(explicit)) {
  console.error(`test:vscode: PIPELINE_RBAC_VSCODE=${explicit} does not exist`);
  process.exit(1);
}
if (!explicit && !(await reachable('https://update.code.visualstudio.com/api/releases/stable', 5000))) {
  console.log('test:vscode skipped: no desktop VS Code here (set PIPELINE_RBAC_VSCODE, or allow downloads from update.code.visualstudio.com); the code-server e2e suite covers real VS Code instead.');
  process.exit(0);
}
if (!process.env.DISPLAY && process.platform === 'linux') {
  console.log('test:vscode skipped: no X display (run under xvfb-run).');
  process.exit(0);
}

const { runTests } = await import('@vscode/test-electron');
await runTests({
  ...(explicit ? { vscodeExecutablePath: explicit } : { version: '1.100.3' }),
  extensionDevelopmentPath: root,
  extensionTestsPath: resolve(root, 'test/vscode/suite/index.cjs'),
  launchArgs: [resolve(root, 'test/fixtures/rbac'), '--disable-extensions', '--disable-workspace-trust'],
});
