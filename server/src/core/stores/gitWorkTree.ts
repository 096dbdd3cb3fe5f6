// Whether a kubeconfig file is about to land in a Git work tree where a commit would publish it. Git's own ignore
// rules decide (`git check-ignore`), so .gitignore, .git/info/exclude and core.excludesFile all count.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file for worktrees/submodules). */
export function gitWorkTreeOf(dir: string): string | undefined {
  let d = dir;
  for (let i = 0; i < 256; i++) {
    if (existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
  return undefined;
}

/** A warning when `path` is inside a Git work tree and Git does not ignore it; undefined otherwise. */
export function gitWarningFor(path: string): string | undefined {
  const root = gitWorkTreeOf(dirname(path));
  if (!root) return undefined;
  // The repository may be a stranger's: its config must not make this check run a program (core.fsmonitor is one
  // that reading the index would start).
  const r = spawnSync('git', ['-c', 'core.fsmonitor=false', '-C', root, 'check-ignore', '-q', '--', path], { encoding: 'utf8', timeout: 5_000, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  if (r.status === 0) return undefined; // ignored by Git
  if (r.status === 1) {
    return `${path} is inside the Git work tree ${root} and Git does not ignore it: a commit would publish the token. Add it to .gitignore, or export outside the repository.`;
  }
  return `${path} is inside the Git work tree ${root}; Git could not be asked whether it ignores the file (${r.error ? 'git not available' : `git check-ignore exit ${r.status ?? 'timeout'}`}): make sure it is never committed.`;
}
