// The cluster's processes: started detached in their own process groups, recognised by start time (never by a
// reused pid), stopped with SIGTERM then SIGKILL.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterError, LOG_DIR, STATE_DIR } from './clusterBase.mjs';
import { ISSUER_SCRIPT } from './oidcIssuer.mjs';

/** Fields of /proc/<pid>/stat after the command name, or undefined when gone or a zombie. */
export function procStat(pid) {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields;
  } catch {
    return undefined;
  }
}
export const startTimeOf = (pid) => procStat(pid)?.[19];

/** True when pid is still the process we started (guards against pid reuse). */
export function isOurs(proc) {
  return proc?.pid > 0 && startTimeOf(proc.pid) === proc.startTime;
}

export function rssMiB(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a component detached in its own process group (pgid = pid), output to its log. */
export function startComponent(bin, name, args) {
  const logPath = join(LOG_DIR, `${name}.log`);
  const fd = openSync(logPath, 'a', 0o600);
  let child;
  try {
    const [command, argv] = name === 'oidc-issuer' ? [process.execPath, [ISSUER_SCRIPT, ...args]] : [bin, [name, ...args]];
    child = spawn(command, argv, { cwd: STATE_DIR, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  if (!child.pid) throw new ClusterError(`cannot start ${name}`, name);
  const proc = { pid: child.pid, startTime: startTimeOf(child.pid), log: logPath, exited: undefined };
  child.on('exit', (code, signal) => {
    proc.exited = signal ? `killed by ${signal}` : `exit code ${code}`;
  });
  child.unref();
  return proc;
}

export async function signalGroups(procs, timeoutMs) {
  const live = procs.filter(isOurs);
  for (const p of live) {
    try {
      process.kill(-p.pid, 'SIGTERM');
    } catch {}
  }
  const deadline = Date.now() + timeoutMs;
  while (live.some(isOurs) && Date.now() < deadline) await sleep(100);
  for (const p of live.filter(isOurs)) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {}
  }
  while (live.some(isOurs) && Date.now() < deadline + 5000) await sleep(50);
}
