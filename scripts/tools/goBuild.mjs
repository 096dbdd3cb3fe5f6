// Runs one `go build -v` with progress for long builds: a heartbeat line every 30 s with the number of
// packages compiled so far, the last diagnostics on failure, and an atomic rename of the output so
// concurrent callers never see a half-written binary. Shared by scripts/tools/build-tools.mjs (helm,
// kustomize) and test/cluster/build.mjs (the test control plane).
import { spawn } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';

const HEARTBEAT_MS = 30_000;

// `go build -v` prints one import path per compiled package; anything else is a diagnostic.
const PACKAGE_LINE = /^[\w.~+-]+(\/[\w.~+-]+)*$/;

export function fmtElapsed(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * Builds into `${out}.tmp-<pid>` with `go build -v <args> -o tmp <pkg>` in `cwd`, then renames it to `out`.
 * `what` names the build in the failure message ("go build of helm failed"), `still` is the heartbeat's
 * prefix, `goMod` the go.mod the "cannot run go" hint points at. Returns the number of packages compiled
 * and the elapsed milliseconds; throws with the last 60 diagnostic lines when the build fails.
 */
export async function goBuild({ cwd, args, pkg, out, env, what, still, goMod, log }) {
  const tmp = `${out}.tmp-${process.pid}`;
  const started = Date.now();
  let packages = 0;
  const diagnostics = [];
  const child = spawn('go', ['build', '-v', ...args, '-o', tmp, pkg], {
    cwd,
    env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', ...env },
    stdio: ['ignore', 2, 'pipe'], // stdout of the callers is reserved for their result lines
  });
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (PACKAGE_LINE.test(line)) packages++;
      else if (line.trim()) diagnostics.push(line);
    }
  });
  const heartbeat = setInterval(() => {
    log(`${still} (${fmtElapsed(Date.now() - started)}, ${packages} packages compiled)`);
  }, HEARTBEAT_MS);
  const code = await new Promise((resolve) => {
    child.on('error', (err) => {
      diagnostics.push(`cannot run go: ${err.message} (needs Go at least as new as the go line in ${goMod})`);
      resolve(-1);
    });
    child.on('close', (c) => resolve(c ?? -1));
  }).finally(() => clearInterval(heartbeat));
  if (pending.trim() && !PACKAGE_LINE.test(pending)) diagnostics.push(pending);
  if (code !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`${what} failed (exit ${code}) after ${fmtElapsed(Date.now() - started)}:\n${diagnostics.slice(-60).join('\n')}`);
  }
  renameSync(tmp, out);
  return { packages, elapsedMs: Date.now() - started };
}

/** "built <out> in 1m05s (812 packages compiled)" — the closing progress line both builds print. */
export function builtLine(prefix, out, { packages, elapsedMs }) {
  return `${prefix}built ${out} in ${fmtElapsed(elapsedMs)}${packages ? ` (${packages} packages compiled)` : ''}`;
}
