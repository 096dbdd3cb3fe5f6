/**
 * Runs helm or kustomize as an argv array (never through a shell), with a time limit and an output size limit:
 * a chart is workspace input, and a template can loop forever or render gigabytes.
 */
import { spawn } from 'node:child_process';

export interface RunLimits {
  timeoutMs: number;
  maxOutputBytes: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = { timeoutMs: 30_000, maxOutputBytes: 32 * 1024 * 1024 };

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class RunLimitError extends Error {}

export function runBounded(binary: string, args: string[], cwd: string, limits: RunLimits = DEFAULT_RUN_LIMITS): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      // helm reads these for plugins and repositories; none of them is needed to render a local chart.
      env: { ...process.env, HELM_NO_PLUGINS: '1' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let failed: Error | undefined;
    const stop = (e: Error) => {
      if (failed) return;
      failed = e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new RunLimitError(`${name(binary)} did not finish within ${limits.timeoutMs / 1000} s`)), limits.timeoutMs);
    const take = (sink: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.maxOutputBytes) stop(new RunLimitError(`${name(binary)} wrote more than ${Math.round(limits.maxOutputBytes / 1024 / 1024)} MiB`));
      else sink.push(chunk);
    };
    child.stdout.on('data', take(out));
    child.stderr.on('data', take(err));
    child.on('error', (e) => stop(e));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failed) reject(failed);
      else resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function name(binary: string): string {
  return binary.split(/[\\/]/).pop() ?? binary;
}
