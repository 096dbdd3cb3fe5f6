/**
 * Runs helm or kustomize as an argv array (never through a shell), with limits on time, output and memory: a chart is
 * workspace input, and a template can loop forever, render gigabytes or build a 4 GB string from 150 bytes.
 * The tool runs in its own process group, which is killed as a whole when it exits, at a limit and on cancel, so
 * nothing it started outlives the render.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export interface RunLimits {
  timeoutMs: number;
  maxOutputBytes: number;
  /** Resident memory of the tool (Linux: read from /proc every 50 ms; elsewhere not bounded). */
  maxMemoryBytes: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = { timeoutMs: 30_000, maxOutputBytes: 32 * 1024 * 1024, maxMemoryBytes: 1024 * 1024 * 1024 };

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type RunLimit = 'time' | 'output' | 'memory';

/** The tool hit a limit (and was killed): never a clean result. */
export class RunLimitError extends Error {
  constructor(
    message: string,
    readonly limit: RunLimit,
  ) {
    super(message);
  }
}

export class RunCancelledError extends Error {}

export interface RunOptions {
  cwd: string;
  /** The tool's whole environment (room.ts); nothing of this process's is added. */
  env: NodeJS.ProcessEnv;
  limits?: RunLimits;
  signal?: AbortSignal | undefined;
}

const MEMORY_POLL_MS = 50;
const live = new Set<number>();
let exitHookInstalled = false;

/** Kills the group led by `pid` (the child itself on Windows, which has no process groups). */
function killGroup(pid: number | undefined, child?: { kill: (s: NodeJS.Signals) => boolean }): void {
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') child?.kill('SIGKILL');
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // This process ending (the CLI's exit, the server's shutdown) ends every render still running.
  process.on('exit', () => {
    for (const pid of live) killGroup(pid);
  });
}

export function runBounded(binary: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const limits = opts.limits ?? DEFAULT_RUN_LIMITS;
  const tool = name(binary);
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new RunCancelledError(`${tool} was cancelled`));
    installExitHook();
    const child = spawn(binary, args, {
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      env: opts.env,
      // Its own process group (setsid), killed as a whole.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const pid = child.pid;
    if (pid !== undefined) live.add(pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let failed: Error | undefined;
    const stop = (e: Error) => {
      if (failed) return;
      failed = e;
      killGroup(pid, child);
    };
    const timer = setTimeout(() => stop(new RunLimitError(`${tool} did not finish within ${limits.timeoutMs / 1000} s (the time limit of a render)`, 'time')), limits.timeoutMs);
    const onAbort = () => stop(new RunCancelledError(`${tool} was cancelled`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const memory = pid === undefined ? undefined : watchMemory(pid, limits.maxMemoryBytes, () => stop(new RunLimitError(`${tool} used more than ${mib(limits.maxMemoryBytes)} MiB of memory (the memory limit of a render) and was stopped`, 'memory')));
    const take = (sink: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.maxOutputBytes) stop(new RunLimitError(`${tool} wrote more than ${mib(limits.maxOutputBytes)} MiB (the output limit of a render) and was stopped`, 'output'));
      else if (!failed) sink.push(chunk);
    };
    child.stdout.on('data', take(out));
    child.stderr.on('data', take(err));
    child.on('error', (e) => stop(e));
    // The tool exited: whatever it left in its group goes too (a `git` of a remote base would hold the pipes open).
    child.on('exit', () => killGroup(pid, child));
    child.on('close', (code) => {
      clearTimeout(timer);
      memory?.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      killGroup(pid, child);
      if (pid !== undefined) live.delete(pid);
      const stderr = Buffer.concat(err).toString('utf8');
      if (!failed && code !== 0 && outOfMemory(stderr)) failed = new RunLimitError(`${tool} ran out of memory (the memory limit of a render is ${mib(limits.maxMemoryBytes)} MiB)`, 'memory');
      if (failed) reject(failed);
      else resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/** The Go runtime's own words when an allocation fails. */
function outOfMemory(stderr: string): boolean {
  return /fatal error: (runtime: )?out of memory|runtime: out of memory: cannot allocate/.test(stderr);
}

/** Polls the child's resident memory (VmRSS) on Linux; calls `over` once when it passes `max`. */
function watchMemory(pid: number, max: number, over: () => void): { stop(): void } | undefined {
  if (process.platform !== 'linux') return undefined;
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    const rss = await residentBytes(pid);
    if (stopped) return;
    if (rss !== undefined && rss > max) {
      stopped = true;
      over();
      return;
    }
    timer = setTimeout(() => void tick(), MEMORY_POLL_MS);
  };
  let timer = setTimeout(() => void tick(), 0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** VmRSS of the process and its descendants (each thread's /proc children list), at most 64 processes. */
async function residentBytes(pid: number): Promise<number | undefined> {
  let total = 0;
  let seen = 0;
  const queue = [pid];
  while (queue.length && seen < 64) {
    const p = queue.shift()!;
    seen++;
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
      for (const tid of await readdir(`/proc/${p}/task`)) {
        const kids = await readFile(`/proc/${p}/task/${tid}/children`, 'utf8').catch(() => '');
        for (const k of kids.split(' ')) if (/^\d+$/.test(k)) queue.push(Number(k));
      }
    } catch {
      // the process ended between two reads
    }
  }
  return seen ? total : undefined;
}

const mib = (n: number) => Math.round(n / 1024 / 1024);

function name(binary: string): string {
  return binary.split(/[\\/]/).pop() ?? binary;
}
