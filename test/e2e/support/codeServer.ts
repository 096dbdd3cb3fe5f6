// code-server lifecycle: install the .vsix into a fresh extensions dir, serve the workbench on a
// free loopback port in its own process group, expose its logs, stop the whole group.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_VSIX, e2eTools, EXTENSION_ID, requireVsix, RUNS_DIR } from './prerequisites';
import { listFiles, PollAbort, pollUntil, readTail, safeName, sleep, tailLines } from './util';

const KEEP_RUNS = 8;

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
  /** Extra code-server arguments, e.g. ['--log', 'debug'] (bench/editor.ts reads the extension's debug timings). */
  args?: string[];
  /** Open the folder in Restricted Mode (workspace trust on, the folder not trusted, no prompt); default: trust off. */
  untrusted?: boolean;
}

/** Workspace trust on, without the startup dialog or banner: a folder nobody trusted opens in Restricted Mode. */
const UNTRUSTED_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

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
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(options.untrusted ? UNTRUSTED_SETTINGS : {}), ...options.settings }, null, 2),
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
      ...(options.untrusted ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--ignore-last-opened',
      // PIPELINE_RBAC_E2E_LOG=debug: every log at that level, the extension's timing and code-action lines included.
      ...(process.env.PIPELINE_RBAC_E2E_LOG ? ['--log', process.env.PIPELINE_RBAC_E2E_LOG] : []),
      ...(options.args ?? []),
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
