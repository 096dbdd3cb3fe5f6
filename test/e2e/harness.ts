/**
 * Real-VS-Code end-to-end harness: the packaged .vsix installed into code-server (the VS Code
 * workbench served on loopback) and driven through Debian's Chromium with playwright-core.
 *
 * Typical scenario (smoke.test.ts has working ones):
 *   await e2eSession('risky-role', { workspace, settings: { 'pipelineRbac.live.enable': false } }, async (wb, server) => {
 *     await wb.openFile('deploy/ci-role.yaml');
 *     await wb.waitForSquiggle({ severity: 'warning' });
 *     const rows = await wb.waitForProblems((r) => r.some((p) => p.source === 'pipeline-rbac'));
 *     await wb.quickFix(positionOf(text, '"*"'), 'Replace ...');
 *     await wb.screenshot('risky-role-fixed');
 *   });
 * Live-cluster scenarios hand a kubeconfig to the extension host through the environment:
 *   { workspace, env: { KUBECONFIG: clusterKubeconfigs().developer } }  (test/cluster/harness.ts)
 * e2eSession takes a screenshot and appends the code-server / extension-host log tails to the
 * error when the scenario fails, and always stops the browser and the code-server process group.
 * Each session gets a fresh user-data-dir and extensions-dir under .e2e/runs/ (last 8 kept).
 *
 * Prerequisites (scripts/install-e2e-deps.sh): /usr/bin/chromium and code-server 4.100.3 in
 * ~/.cache/pipeline-rbac; the .vsix from `npm run package`. Missing ones throw with the fix.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const E2E_DIR = join(REPO_ROOT, '.e2e');
export const SCREENSHOT_DIR = join(E2E_DIR, 'screenshots');
export const RUNS_DIR = join(E2E_DIR, 'runs');
export const DEFAULT_VSIX = join(REPO_ROOT, 'dist', 'pipeline-rbac.vsix');
export const CODE_SERVER_VERSION = '4.100.3';
/** `${publisher}.${name}` from package.json. */
export const EXTENSION_ID = 'pipeline-rbac.pipeline-rbac';

const INSTALL_HINT = 'run `scripts/install-e2e-deps.sh` (as root, or with passwordless sudo for apt)';
const KEEP_RUNS = 8;

// ------------------------------------------------------------------------------------------------
// Prerequisites

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

// ------------------------------------------------------------------------------------------------
// Small utilities

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown by a pollUntil probe to stop polling at once (other probe errors are retried). */
export class PollAbort extends Error {}

/**
 * Polls `probe` until it returns a value other than undefined/false/null, or throws after timeoutMs
 * with `what` and the last probe error or value in the message.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      last = v;
    } catch (e) {
      if (e instanceof PollAbort) throw e;
      last = e;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message.split('\n')[0] : JSON.stringify(last);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

function tailLines(text: string, lines: number): string {
  return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
}

function readTail(path: string, lines: number): string {
  try {
    return tailLines(readFileSync(path, 'utf8'), lines);
  } catch {
    return `(no ${path})`;
  }
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(join(dir, d.name)) : [join(dir, d.name)],
  );
}

/** 1-based line/column of the first occurrence of `needle` in `text` (for hoverAt and friends). */
export function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`positionOf: occurrence ${occurrence} of ${JSON.stringify(needle)} not found`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'shot';
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms:\n${tailLines(output, 20)}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Process groups still running when the test process exits (crash, forgotten stop) are killed here.
const liveGroups = new Set<number>();
let exitHook = false;
function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const g of liveGroups) killGroup(g, 'SIGKILL');
  });
}

function pruneOldRuns(): void {
  if (!existsSync(RUNS_DIR)) return;
  const runs = readdirSync(RUNS_DIR)
    .map((n) => join(RUNS_DIR, n))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of runs.slice(KEEP_RUNS)) rmSync(old, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------
// code-server

export interface StartOptions {
  /** Folder opened in the workbench. */
  workspace: string;
  /** The .vsix to install first (default dist/pipeline-rbac.vsix); null installs nothing. */
  vsix?: string | null;
  /** Extra environment for code-server and so for the extension host (e.g. KUBECONFIG). */
  env?: Record<string, string | undefined>;
  /** User settings, merged over quiet defaults and written to User/settings.json. */
  settings?: Record<string, unknown>;
  /** Label of the run directory under .e2e/runs/. */
  name?: string;
}

export interface CodeServer {
  /** Workbench URL with the workspace folder. */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** code-server's own stdout+stderr. */
  logFile: string;
  /** Milliseconds taken by `--install-extension` (0 when no vsix). */
  installMs: number;
  /** Last lines of code-server's output. */
  logTail(lines?: number): string;
  /** Server-side log files under the user-data-dir (extension host, output channels, ...). */
  logFiles(): string[];
  /** Content of the extension host log(s) that run the extensions (remoteexthost.log). */
  extensionHostLog(): string;
  /** Content of the file VS Code writes for an extension's output channel (createOutputChannel), if any. */
  outputChannelLog(channel: string): string | undefined;
  /** Extension ids installed in the extensions dir (from extensions.json). */
  installedExtensions(): string[];
  /**
   * Waits for the extension host to log the extension's activation and returns the activation
   * event (e.g. "onLanguage:yaml"); throws at once when the host logs that activation failed.
   */
  waitForActivation(extensionId?: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Settings that keep the workbench quiet and deterministic; StartOptions.settings override them. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'files.autoSave': 'off',
  'editor.hover.delay': 300,
  // code-server otherwise "forwards" every port its children listen on and shows them in the status bar.
  'remote.autoForwardPorts': false,
};

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const tools = e2eTools();
  const vsix = options.vsix === null ? null : requireVsix(options.vsix ?? DEFAULT_VSIX);
  const workspace = resolve(options.workspace);
  if (!existsSync(workspace)) throw new Error(`startCodeServer: workspace ${workspace} does not exist`);

  mkdirSync(RUNS_DIR, { recursive: true });
  pruneOldRuns();
  const runDir = join(RUNS_DIR, `${safeName(options.name ?? 'run')}-${new Date().toISOString().replace(/[:.]/g, '')}-${process.pid}`);
  const userDataDir = join(runDir, 'user-data');
  const extensionsDir = join(runDir, 'extensions');
  const logFile = join(runDir, 'code-server.log');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2),
  );

  // code-server acts as a CLI for an enclosing VS Code when VSCODE_IPC_HOOK_CLI & co are set.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VSCODE_') && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  // Its config file (default password) and own logs stay in the run dir, not ~/.config, ~/.local.
  env.XDG_DATA_HOME = join(runDir, 'xdg-data');
  const common = ['--config', join(runDir, 'config.yaml'), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  let installMs = 0;
  if (vsix) {
    const t0 = Date.now();
    const res = await run(tools.codeServer, [...common, '--install-extension', vsix, '--force'], env, 180_000);
    installMs = Date.now() - t0;
    writeFileSync(join(runDir, 'install-extension.log'), res.output);
    if (res.code !== 0 || !/successfully installed/i.test(res.output)) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${res.code}):\n${tailLines(res.output, 30)}`);
    }
  }

  const logFd = openSync(logFile, 'a');
  const child = spawn(
    tools.codeServer,
    [
      ...common,
      '--auth', 'none',
      '--bind-addr', '127.0.0.1:0', // the OS picks a free port; code-server prints it
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const pid = child.pid;
  if (!pid) throw new Error(`could not spawn ${tools.codeServer}`);
  trackGroup(pid);
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exit ${code ?? signal}`));
  child.on('error', (e) => (exited = e.message));

  const stop = async (): Promise<void> => {
    if (!liveGroups.has(pid)) return;
    killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
    if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
    while (groupAlive(pid)) await sleep(20);
    liveGroups.delete(pid);
  };

  try {
    const origin = await pollUntil(
      'code-server to print its HTTP address',
      () => {
        if (exited) throw new PollAbort(`code-server exited early (${exited}):\n${readTail(logFile, 30)}`);
        return /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(readTail(logFile, 200))?.[1];
      },
      { timeoutMs: 60_000 },
    );
    await pollUntil('code-server /healthz to answer', async () => {
      if (exited) throw new PollAbort(`code-server exited (${exited}):\n${readTail(logFile, 30)}`);
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2_000) });
      return res.ok;
    }, { timeoutMs: 30_000 });

    const logsRoot = join(userDataDir, 'logs');
    const server: CodeServer = {
      url: `${origin}/?folder=${encodeURIComponent(workspace)}`,
      origin,
      runDir,
      userDataDir,
      extensionsDir,
      logFile,
      installMs,
      logTail: (lines = 40) => readTail(logFile, lines),
      logFiles: () => listFiles(logsRoot),
      extensionHostLog: () =>
        listFiles(logsRoot)
          .filter((f) => /exthost\d*[\\/]remoteexthost\.log$/.test(f))
          .map((f) => readFileSync(f, 'utf8'))
          .join('\n'),
      outputChannelLog: (channel) => {
        // Log channels ({ log: true }) write exthost*/<extension id>/<name>.log; plain ones
        // exthost*/output_logging_*/<n>-<name>.log.
        const file = listFiles(logsRoot).find((f) => {
          const base = basename(f);
          return /exthost/.test(f) && (base === `${channel}.log` || (/output_logging_/.test(f) && base.replace(/^\d+-/, '') === `${channel}.log`));
        });
        return file ? readFileSync(file, 'utf8') : undefined;
      },
      waitForActivation: (extensionId = EXTENSION_ID, timeoutMs = 60_000) =>
        pollUntil(`the extension host to activate ${extensionId}`, () => {
          const log = server.extensionHostLog();
          const esc = extensionId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          const failed = new RegExp(`^.*Activating extension '?${esc}'? failed.*$`, 'mi').exec(log);
          if (failed) throw new PollAbort(`extension host: ${failed[0]}\n${tailLines(log.slice(failed.index), 20)}`);
          return new RegExp(`_doActivateExtension ${esc}, startup: \\w+, activationEvent: '([^']+)'`).exec(log)?.[1];
        }, { timeoutMs, intervalMs: 200 }),
      installedExtensions: () => {
        const manifest = join(extensionsDir, 'extensions.json');
        if (!existsSync(manifest)) return [];
        const entries = JSON.parse(readFileSync(manifest, 'utf8')) as { identifier?: { id?: string } }[];
        return entries.map((e) => e.identifier?.id ?? '').filter(Boolean);
      },
      stop,
    };
    return server;
  } catch (e) {
    await stop();
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------
// The workbench in Chromium

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface ProblemRow {
  /** Path of the file the marker belongs to, as the Problems panel labels it. */
  resource: string;
  /** Hints are not listed in the Problems panel. */
  severity: Exclude<Severity, 'hint'> | 'unknown';
  message: string;
  /** The source shown after the message, e.g. "pipeline-rbac". */
  source: string;
  /** The diagnostic code as shown, e.g. "unknownProperties" (a rule id for pipeline-rbac). */
  code: string;
  /** 1-based position from the "[Ln 3, Col 5]" label. */
  line: number;
  column: number;
  /** The whole row text as displayed. */
  text: string;
}

export interface OpenWorkbenchOptions {
  /** Adds the code-server log tail to failures and reads its logs. */
  server?: CodeServer;
  viewport?: { width: number; height: number };
  /** Deadline for the workbench to appear (default 90 s). */
  timeoutMs?: number;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  /** Milliseconds from navigation to a visible .monaco-workbench. */
  loadMs: number;
  /** Runs the command palette entry with exactly this title, e.g. "Pipeline RBAC: Create Pipeline Identity...". */
  runCommand(title: string): Promise<void>;
  /** Opens a workspace file by its path relative to the folder (Quick Open) and waits for its editor. */
  openFile(relPath: string): Promise<void>;
  /** Opens the Problems panel and reads its marker rows (the visible ones). */
  problems(): Promise<ProblemRow[]>;
  /** Waits until `predicate(problems)` holds and returns the rows. */
  waitForProblems(predicate: (rows: ProblemRow[]) => boolean, timeoutMs?: number): Promise<ProblemRow[]>;
  /** Waits for at least one squiggle (of the given severity) in the active editor; returns their count. */
  waitForSquiggle(options?: { severity?: Severity; timeoutMs?: number }): Promise<number>;
  /** Moves the cursor to a 1-based position in the active editor, shows the hover and returns its text. */
  hoverAt(position: { line: number; column: number }): Promise<string>;
  /** Moves the cursor to a 1-based position in the active editor (Go to Line/Column). */
  goTo(position: { line: number; column: number }): Promise<void>;
  /** Titles of the code actions (Ctrl+.) offered at a 1-based position; closes the menu again. */
  codeActions(position: { line: number; column: number }): Promise<string[]>;
  /** Applies the code action whose title equals (else starts with) `title` at a 1-based position. */
  quickFix(position: { line: number; column: number }, title: string): Promise<void>;
  /** Saves the active editor (Ctrl+S) and waits until it is no longer dirty. */
  save(): Promise<void>;
  /** Text of the active editor, unsaved edits included (through the clipboard; moves the cursor to the end). */
  editorText(): Promise<string>;
  /** Names of the output channels ("Output: Show Output Channels..." lists them). */
  outputChannels(): Promise<string[]>;
  /** Extensions listed in the Extensions view (installed ones when its search box is empty). */
  extensionsView(): Promise<ExtensionListItem[]>;
  /** Rows of the "Developer: Show Running Extensions" editor (activated extensions, activation times). */
  runningExtensions(): Promise<RunningExtension[]>;
  /** Texts of the visible notification toasts. */
  notifications(): Promise<string[]>;
  /** Texts (and tooltips) of the status bar items. */
  statusBarItems(): Promise<{ text: string; tooltip: string }[]>;
  /** The open quick input (command palette follow-ups, QuickPick steps). */
  quickInput: QuickInput;
  /** Saves .e2e/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Browser console errors seen so far. */
  consoleErrors(): string[];
  close(): Promise<void>;
}

export interface ExtensionListItem {
  id: string;
  name: string;
  description: string;
  /** Activation time shown next to the name once activated ("4ms"), else ''. */
  activationTime: string;
}

export interface RunningExtension {
  name: string;
  version: string;
  /** As displayed, e.g. "Activation: 4ms" or "Startup Activation: 363ms". */
  activation: string;
  activationMs: number | undefined;
}

export interface QuickInput {
  /** Waits for the quick input to be visible; returns its title (or ''). */
  waitOpen(timeoutMs?: number): Promise<string>;
  /** Labels of the listed items. */
  items(): Promise<string[]>;
  /** Picks the item whose label equals `label` (else starts with it), waiting for it to be listed. */
  select(label: string, timeoutMs?: number): Promise<void>;
  /** Replaces the input's text and, by default, presses Enter. */
  type(text: string, submit?: boolean): Promise<void>;
  /** Waits for the quick input to close. */
  waitClosed(timeoutMs?: number): Promise<void>;
}

export async function openWorkbench(url: string, options: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const tools = e2eTools();
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    // Chromium's crash reporter writes under $XDG_CONFIG_HOME/chromium even with a temp profile.
    env: { ...process.env, XDG_CONFIG_HOME: join(E2E_DIR, 'chromium-config') },
  });
  const errors: string[] = [];
  try {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'], // editorText() reads the copied text
    });
    // tsx/esbuild (keepNames) wraps named inner functions of the callbacks we pass to
    // page.evaluate in __name(...) calls; give the page a no-op __name so they run there.
    await context.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
    const page = await context.newPage();
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') errors.push(m.text().slice(0, 500));
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message.slice(0, 500)}`));

    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: options.timeoutMs ?? 90_000 });
    await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: options.timeoutMs ?? 90_000 });
    const loadMs = Date.now() - t0;
    // The folder is open once the explorer or the status bar has rendered; both come after the shell.
    await page.locator('.part.statusbar').first().waitFor({ state: 'visible', timeout: 30_000 });
    return makeWorkbench(page, browser, loadMs, errors, new URL(url).searchParams.get('folder') ?? undefined);
  } catch (e) {
    await browser.close().catch(() => undefined);
    const serverTail = options.server ? `\n--- code-server log ---\n${options.server.logTail(30)}` : '';
    throw new Error(`${(e as Error).message}\n--- browser console errors ---\n${errors.slice(-10).join('\n')}${serverTail}`);
  }
}

/** The few browser globals our page callbacks use (the test tsconfig has no DOM lib). */
interface BrowserGlobals {
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}

function makeWorkbench(page: Page, browser: Browser, loadMs: number, errors: string[], folder: string | undefined): Workbench {
  const quickWidget = page.locator('.quick-input-widget');
  const quickBox = quickWidget.locator('.quick-input-box input');
  const activeEditor = page.locator('.editor-group-container.active .monaco-editor').first();

  // Quick input lists re-render while results stream in: a row found a moment ago may be gone or
  // moving, so click it without actionability waits and let the caller's poll look again on error.
  async function clickNow(row: Locator): Promise<boolean> {
    try {
      await row.click({ timeout: 2_000, force: true });
      return true;
    } catch {
      return false;
    }
  }

  async function selectItem(label: string, exact: boolean, timeoutMs: number): Promise<void> {
    const rows = quickWidget.locator('.quick-input-list .monaco-list-row');
    let attempted = false;
    await pollUntil(`quick input item "${label}"`, async () => {
      const norm = await rows.evaluateAll((rs) =>
        rs.map((r) => (r.querySelector('.label-name')?.textContent ?? '').replace(/\s+/g, ' ').trim()),
      );
      let i = norm.indexOf(label);
      if (i < 0 && !exact) i = norm.findIndex((l) => l.toLowerCase().startsWith(label.toLowerCase()));
      // A click that reported an error may still have landed: the item is gone, or the input closed.
      if (attempted && (i < 0 || !(await quickBox.isVisible()))) return true;
      if (i < 0) return false;
      attempted = true;
      return clickNow(rows.nth(i));
    }, { timeoutMs });
  }

  const quickInput: QuickInput = {
    async waitOpen(timeoutMs = 10_000) {
      await quickBox.waitFor({ state: 'visible', timeout: timeoutMs });
      // evaluate, not textContent(): a locator read waits for a missing title until its timeout.
      return quickWidget.first().evaluate((w) => (w.querySelector('.quick-input-title')?.textContent ?? '').trim());
    },
    async items() {
      const rows = quickWidget.locator('.quick-input-list .monaco-list-row');
      return rows.evaluateAll((rs) => rs.map((r) => (r.querySelector('.label-name')?.textContent ?? '').trim()));
    },
    select: (label, timeoutMs = 15_000) => selectItem(label, false, timeoutMs),
    async type(text, submit = true) {
      await quickBox.waitFor({ state: 'visible', timeout: 10_000 });
      await quickBox.fill(text);
      if (submit) await quickBox.press('Enter');
    },
    async waitClosed(timeoutMs = 10_000) {
      await quickBox.waitFor({ state: 'hidden', timeout: timeoutMs });
    },
  };

  async function focusWorkbench(): Promise<void> {
    // Keyboard shortcuts need the page focused; Escape closes stray quick inputs and hovers.
    await page.bringToFront();
    if (await quickBox.isVisible()) await page.keyboard.press('Escape');
  }

  async function runCommand(title: string): Promise<void> {
    await focusWorkbench();
    await page.keyboard.press('F1');
    await quickInput.waitOpen();
    await quickBox.fill(`>${title}`);
    await selectItem(title, true, 15_000);
  }

  async function openFile(relPath: string): Promise<void> {
    await focusWorkbench();
    const base = relPath.split(/[\\/]/).pop() ?? relPath;
    // An absolute path is listed at once; a relative one waits for the workspace file search
    // (several seconds on a fresh window), so resolve it against the opened folder when known.
    const absolute = isAbsolute(relPath) ? relPath : folder ? join(folder, relPath) : undefined;
    await page.keyboard.press('Control+P');
    await quickInput.waitOpen();
    await quickBox.fill(absolute ?? relPath);
    // Rows show the file name as label and its folder as description; pick the exact match.
    const wanted = relPath.replace(/\\/g, '/');
    const rows = quickWidget.locator('.quick-input-list .monaco-list-row');
    let attempted = false;
    await pollUntil(`Quick Open to list ${absolute ?? relPath}`, async () => {
      if (attempted && !(await quickBox.isVisible())) return true; // an "errored" click that landed
      const shown = await rows.evaluateAll((rs) =>
        rs.map((r) => ({
          label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
          desc: (r.querySelector('.label-description')?.textContent ?? '').trim(),
        })),
      );
      const i = shown.findIndex(({ label, desc }) => {
        if (label !== base) return false;
        if (absolute) return true; // the absolute path lists only that file
        const full = desc && desc !== '.' ? `${desc.replace(/\\/g, '/')}/${label}` : label;
        return full === wanted || full.endsWith(`/${wanted}`) || wanted === base;
      });
      if (i < 0) return false;
      attempted = true;
      return clickNow(rows.nth(i));
    }, { timeoutMs: 20_000 });
    await pollUntil(`an editor tab for ${base}`, async () => {
      const labels = await page
        .locator('.editor-group-container.active .tab.active')
        .evaluateAll((tabs) => tabs.map((t) => t.getAttribute('aria-label') ?? ''));
      return labels.some((l) => l.startsWith(base)) && (await activeEditor.locator('.view-lines').isVisible());
    }, { timeoutMs: 20_000 });
  }

  async function openProblems(): Promise<void> {
    const panel = page.locator('.markers-panel');
    if (await panel.isVisible()) return;
    await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
  }

  async function readProblems(): Promise<ProblemRow[]> {
    return page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => {
      let resource = '';
      return rows.flatMap((r) => {
        // File rows come first, then their markers: remember which file the markers belong to.
        const fileLabel = r.querySelector('.resource-label-container .monaco-icon-label');
        if (fileLabel) {
          resource = fileLabel.getAttribute('aria-label') ?? '';
          return [];
        }
        if (!r.querySelector('.marker-message-details-container')) return [];
        const text = (sel: string) => (r.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
        // `.marker-icon` carries the severity as a class (error, warning, info); hints show no row.
        const icon = r.querySelector('.marker-icon');
        const cls = `${icon?.className ?? ''} ${icon?.firstElementChild?.className ?? ''}`;
        const severity = /\berror\b|codicon-error/.test(cls)
          ? 'error'
          : /\bwarning\b|codicon-warning/.test(cls)
            ? 'warning'
            : /\binfo\b|codicon-info/.test(cls)
              ? 'info'
              : 'unknown';
        const pos = /Ln\s*(\d+),\s*Col\s*(\d+)/.exec(text('.marker-line'));
        // The code renders as a link or plain text, optionally wrapped in parentheses.
        const code = text('.marker-code').replace(/^\(|\)$/g, '');
        return [{
          resource,
          severity: severity as ProblemRow['severity'],
          message: text('.marker-message'),
          source: text('.marker-source'),
          code,
          line: pos ? Number(pos[1]) : 0,
          column: pos ? Number(pos[2]) : 0,
          text: (r.textContent ?? '').replace(/\s+/g, ' ').trim(),
        }];
      });
    });
  }

  async function goTo({ line, column }: { line: number; column: number }): Promise<void> {
    await focusWorkbench();
    await activeEditor.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Control+G');
    await quickInput.waitOpen();
    await quickBox.fill(`:${line}:${column}`);
    await quickBox.press('Enter');
    await quickInput.waitClosed();
  }

  const codeActionWidget = page.locator('.action-widget').first();
  const codeActionRows = () => codeActionWidget.locator('.monaco-list-row.action');
  /** Opens the code action menu; false when VS Code says there are none. */
  async function openCodeActions(position: { line: number; column: number }): Promise<boolean> {
    await goTo(position);
    await page.keyboard.press('Control+.');
    // Rows appear once the providers answered; "No code actions available" shows as an overlay message.
    const none = page.locator('.monaco-editor-overlaymessage', { hasText: /no code actions/i });
    const state = await pollUntil(`code actions at ${position.line}:${position.column}`, async () =>
      (await codeActionRows().count()) > 0 ? 'some' : (await none.count()) > 0 ? 'none' : undefined,
    { timeoutMs: 15_000 });
    return state === 'some';
  }

  const workbench: Workbench = {
    page,
    browser,
    loadMs,
    quickInput,
    runCommand,
    openFile,
    async problems() {
      await openProblems();
      return readProblems();
    },
    async waitForProblems(predicate, timeoutMs = 30_000) {
      await openProblems();
      let last: ProblemRow[] = [];
      try {
        return await pollUntil('the expected Problems', async () => {
          last = await readProblems();
          return predicate(last) ? last : undefined;
        }, { timeoutMs, intervalMs: 200 });
      } catch (e) {
        throw new Error(`${(e as Error).message}\nProblems shown:\n${last.map((p) => `  ${p.text}`).join('\n') || '  (none)'}`);
      }
    },
    async waitForSquiggle({ severity, timeoutMs = 30_000 } = {}) {
      const sel = severity ? `.squiggly-${severity}` : '[class*="squiggly-"]';
      return pollUntil(`a ${severity ?? ''} squiggle in the active editor`, async () => {
        const n = await activeEditor.locator(sel).count();
        return n > 0 ? n : undefined;
      }, { timeoutMs, intervalMs: 200 });
    },
    goTo,
    async hoverAt(position) {
      await goTo(position);
      const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content').first();
      // "Show or Focus Hover" is Ctrl+K Ctrl+I; the chord needs two separate presses.
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      return pollUntil(`a hover at ${position.line}:${position.column}`, async () => {
        if (!(await hover.isVisible())) return undefined;
        const text = ((await hover.innerText()) ?? '').trim();
        return text && !/^Loading\.\.\.$/.test(text) ? text : undefined;
      }, { timeoutMs: 15_000 });
    },
    async codeActions(position) {
      if (!(await openCodeActions(position))) return [];
      const titles = await codeActionRows().evaluateAll((rs) => rs.map((r) => (r.querySelector('.title')?.textContent ?? '').trim()));
      await page.keyboard.press('Escape');
      return titles;
    },
    async quickFix(position, title) {
      if (!(await openCodeActions(position))) throw new Error(`no code actions at ${position.line}:${position.column}`);
      const rows = codeActionRows();
      let attempted = false;
      await pollUntil(`code action "${title}"`, async () => {
        const titles = await rows.evaluateAll((rs) => rs.map((r) => (r.querySelector('.title')?.textContent ?? '').trim()));
        let i = titles.indexOf(title);
        if (i < 0) i = titles.findIndex((t) => t.startsWith(title));
        if (attempted && (i < 0 || !(await codeActionWidget.isVisible()))) return true;
        if (i < 0) return false;
        attempted = true;
        return clickNow(rows.nth(i));
      }, { timeoutMs: 15_000 });
      await codeActionWidget.waitFor({ state: 'hidden', timeout: 10_000 });
    },
    async save() {
      await page.keyboard.press('Control+S');
      await pollUntil('the active editor to be saved', async () => {
        const dirty = await page.locator('.editor-group-container.active .tab.active.dirty').count();
        return dirty === 0;
      }, { timeoutMs: 10_000 });
    },
    async editorText() {
      // The DOM shows only rendered lines, with decorations (color boxes, inlay hints) mixed in;
      // the clipboard gets the model's text. Select all, copy, read it, collapse the selection.
      await runCommand('View: Focus Active Editor Group');
      await activeEditor.locator('.view-lines').waitFor({ state: 'visible', timeout: 10_000 });
      await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(''));
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Control+C');
      const text = await pollUntil('the editor text on the clipboard', async () => {
        const t = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText());
        return t === '' ? undefined : t;
      }, { timeoutMs: 5_000 });
      await page.keyboard.press('Escape');
      return text;
    },
    async outputChannels() {
      await runCommand('Output: Show Output Channels...');
      await quickInput.waitOpen();
      const names = await pollUntil('the output channel list', async () => {
        const items = await quickInput.items();
        return items.length ? items : undefined;
      }, { timeoutMs: 10_000 });
      await page.keyboard.press('Escape');
      return names.map((n) => n.trim());
    },
    async extensionsView() {
      const viewlet = page.locator('.extensions-viewlet');
      if (!(await viewlet.isVisible())) {
        await runCommand('View: Show Extensions');
        await viewlet.waitFor({ state: 'visible', timeout: 10_000 });
      }
      return viewlet.locator('.monaco-list-row[data-extension-id]').evaluateAll((rows) =>
        rows.map((r) => {
          const text = (sel: string) => (r.querySelector(sel)?.textContent ?? '').trim();
          return {
            id: r.getAttribute('data-extension-id') ?? '',
            name: text('.name'),
            description: text('.description'),
            activationTime: text('.activationTime'),
          };
        }),
      );
    },
    async runningExtensions() {
      const editor = page.locator('.runtime-extensions-editor');
      if (!(await editor.isVisible())) {
        await runCommand('Developer: Show Running Extensions');
        await editor.waitFor({ state: 'visible', timeout: 10_000 });
      }
      return editor.locator('.monaco-list-row').evaluateAll((rows) =>
        rows.map((r) => {
          const text = (sel: string) => (r.querySelector(sel)?.textContent ?? '').trim();
          const activation = text('.activation-time');
          const ms = /([\d.]+)\s*ms/.exec(activation);
          return { name: text('.name'), version: text('.version'), activation, activationMs: ms ? Number(ms[1]) : undefined };
        }),
      );
    },
    async notifications() {
      return (await page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).map((t) => t.trim());
    },
    async statusBarItems() {
      return page.locator('.part.statusbar .statusbar-item').evaluateAll((items) =>
        items.map((i) => ({
          text: (i.textContent ?? '').replace(/\s+/g, ' ').trim(),
          tooltip: i.querySelector('[aria-label]')?.getAttribute('aria-label') ?? i.getAttribute('aria-label') ?? '',
        })),
      );
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${safeName(name)}.png`);
      await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
      return path;
    },
    consoleErrors: () => [...errors],
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
  return workbench;
}

// ------------------------------------------------------------------------------------------------
// One scenario: code-server + workbench, with failure evidence and cleanup

/**
 * Starts code-server with the extension, opens the workbench, runs `scenario`, and always stops
 * everything. On failure the error gains a screenshot (.e2e/screenshots/<name>-FAILED.png), the
 * code-server and extension-host log tails and the browser console errors.
 */
export async function e2eSession<T>(
  name: string,
  options: StartOptions,
  scenario: (wb: Workbench, server: CodeServer) => Promise<T>,
): Promise<T> {
  const server = await startCodeServer({ name, ...options });
  let wb: Workbench | undefined;
  try {
    wb = await openWorkbench(server.url, { server });
    return await scenario(wb, server);
  } catch (e) {
    const err = e as Error;
    let shot = '(no screenshot)';
    if (wb) shot = await wb.screenshot(`${name}-FAILED`).catch((se: Error) => `(screenshot failed: ${se.message})`);
    err.message = [
      err.message,
      `--- screenshot: ${shot}`,
      `--- run dir: ${server.runDir}`,
      `--- code-server log (last lines) ---\n${server.logTail(25)}`,
      `--- extension host log (last lines) ---\n${tailLines(server.extensionHostLog(), 25) || '(empty)'}`,
      `--- browser console errors ---\n${wb?.consoleErrors().slice(-10).join('\n') || '(none)'}`,
    ].join('\n');
    throw err;
  } finally {
    await wb?.close();
    await server.stop();
  }
}
