// Helpers for the tests of what users install: the packed tarball, and child processes run asynchronously (a
// loopback stand-in server in the test process must keep answering while they run), each with a time limit.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const FIX = join(ROOT, 'test/fixtures/rbac');
export const VERSION = (require(join(ROOT, 'package.json')) as { version: string }).version;

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file` with `args`, killing it (and failing) after `timeoutMs`. */
export function run(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; input?: string }): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = execFile(file, args, { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 120_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as { killed?: boolean }).killed) fail(new Error(`${file} ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
      else done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The environment of a machine with only Node: node's own folder (node, npm, npx) and the system's on PATH, a fresh
 * HOME and npm cache, and no registry but the one given.
 */
export function nodeOnlyEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: home,
    npm_config_cache: join(home, '.npm'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/** `npm pack` of the repository into `dest`: with `build`, through its prepack script; else of the dist/ already built. */
export async function pack(dest: string, build: boolean): Promise<{ tarball: string; files: string[] }> {
  const args = ['pack', '--json', '--pack-destination', dest, ...(build ? [] : ['--ignore-scripts'])];
  const r = await run('npm', args, { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: 'false' }, timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`npm pack failed (${r.code}):\n${r.stderr}`);
  const [out] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(dest, out!.filename), files: out!.files.map((f) => f.path).sort() };
}
