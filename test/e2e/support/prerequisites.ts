// Where the e2e suite finds its tools and the packaged extension, and where it writes.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const E2E_DIR = join(REPO_ROOT, '.e2e');
export const SCREENSHOT_DIR = join(E2E_DIR, 'screenshots');
export const RUNS_DIR = join(E2E_DIR, 'runs');
export const DEFAULT_VSIX = join(REPO_ROOT, 'dist', 'pipeline-rbac.vsix');
export const CODE_SERVER_VERSION = '4.100.3';
/** The flags headless Chromium runs the workbench with. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `${publisher}.${name}` from package.json. */
export const EXTENSION_ID = 'pipeline-rbac.pipeline-rbac';

const INSTALL_HINT = 'run `scripts/install-e2e-deps.sh` (as root, or with passwordless sudo for apt)';

export interface E2ETools {
  codeServer: string;
  chromium: string;
}

/** Where install-e2e-deps.sh puts code-server (same defaults and overrides as the script). */
export function codeServerPrefix(): string {
  const cacheRoot =
    process.env.PIPELINE_RBAC_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pipeline-rbac');
  return join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
}

/** The code-server and Chromium binaries; throws with the install instruction when one is missing. */
export function e2eTools(): E2ETools {
  const prefix = codeServerPrefix();
  const codeServer = process.env.PIPELINE_RBAC_CODE_SERVER ?? join(prefix, 'node_modules', '.bin', 'code-server');
  const chromiumPath = process.env.PIPELINE_RBAC_CHROMIUM ?? '/usr/bin/chromium';
  const problems: string[] = [];
  if (!existsSync(chromiumPath)) problems.push(`Chromium not found at ${chromiumPath}`);
  if (!existsSync(codeServer)) problems.push(`code-server ${CODE_SERVER_VERSION} not found at ${codeServer}`);
  else if (!process.env.PIPELINE_RBAC_CODE_SERVER && !existsSync(join(prefix, '.installed'))) {
    problems.push(`code-server install in ${prefix} is incomplete (no .installed marker)`);
  }
  if (problems.length) {
    throw new Error(`End-to-end prerequisites missing: ${problems.join('; ')}.\nTo fix: ${INSTALL_HINT}.`);
  }
  return { codeServer, chromium: chromiumPath };
}

/** The packaged extension; throws telling to run `npm run package` when it is missing. */
export function requireVsix(vsix: string = DEFAULT_VSIX): string {
  if (!existsSync(vsix)) {
    throw new Error(`Extension package not found: ${vsix}.\nTo fix: run \`npm run package\` first (the e2e suite tests the packaged .vsix).`);
  }
  return vsix;
}

