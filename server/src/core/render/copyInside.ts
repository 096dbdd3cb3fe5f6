/**
 * Copies a chart or overlay folder into the render room so that the tool sees only regular files from inside the
 * folder: helm's chart loader follows symbolic links (a `files/env.txt -> /proc/self/environ` would print this
 * process's environment into a template), so the tool never reads the user's folder itself. A link whose target lies
 * inside the fence is copied as its target; one that leaves it, points nowhere, or loops is refused, naming it. The
 * copy is bounded in files, bytes and depth before anything is read.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

export interface CopyLimits {
  maxFiles: number;
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_COPY_LIMITS: CopyLimits = { maxFiles: 5000, maxBytes: 64 * 1024 * 1024, maxDepth: 32 };

/** Why the input was not copied: `at` is the original path of the entry (a link, a FIFO...) or folder. */
export class CopyRefused extends Error {
  constructor(
    message: string,
    readonly at: string,
  ) {
    super(message);
  }
}

/** Counts what one render copies (a kustomize overlay and its bases share one). */
export class CopyBudget {
  files = 0;
  bytes = 0;
  constructor(readonly limits: CopyLimits = DEFAULT_COPY_LIMITS) {}
}

/** Version-control metadata is never a render input, and a repository-root overlay would copy all of it. */
const SKIPPED_DIRS = new Set(['.git']);
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export function isInside(root: string, p: string): boolean {
  const back = relative(root, p);
  return back === '' || (!back.startsWith('..') && !isAbsolute(back) && !back.split(sep).includes('..'));
}

/**
 * Copies the folder `src` (or one file) to `dest`. `fence` is the real path every entry and link target must lie in;
 * `show` says how a path is named in a refusal.
 */
export async function copyInside(src: string, dest: string, fence: string, budget: CopyBudget, show: (abs: string) => string): Promise<void> {
  const walker = new Walker(fence, budget, show);
  const real = await walker.resolve(src);
  const info = await stat(real);
  if (info.isDirectory()) await walker.dir(src, real, dest, 0, [real]);
  else await walker.file(src, real, dest);
}

class Walker {
  constructor(
    private readonly fence: string,
    private readonly budget: CopyBudget,
    private readonly show: (abs: string) => string,
  ) {}

  /** The real path of `p`, refused when it leaves the fence or leads nowhere. */
  async resolve(p: string): Promise<string> {
    let real: string;
    try {
      real = await realpath(p);
    } catch {
      throw new CopyRefused(`${this.show(p)} is a symbolic link to nothing (or unreadable); not rendered`, p);
    }
    if (!isInside(this.fence, real)) throw new CopyRefused(`${this.show(p)} leads outside the folder (a symbolic link to ${real}); not rendered`, p);
    return real;
  }

  async dir(src: string, real: string, dest: string, depth: number, stack: string[]): Promise<void> {
    if (depth > this.budget.limits.maxDepth) throw new CopyRefused(`${this.show(src)} is nested more than ${this.budget.limits.maxDepth} folders deep; not rendered`, src);
    await mkdir(dest, { recursive: true, mode: 0o700 });
    const names = (await readdir(real)).sort();
    for (const name of names) {
      const from = join(src, name);
      const at = join(real, name);
      const to = join(dest, name);
      const info = await lstat(at);
      if (info.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) await this.dir(from, at, to, depth + 1, [...stack, at]);
      } else if (info.isFile()) await this.file(from, at, to);
      else if (info.isSymbolicLink()) {
        const target = await this.resolve(at);
        const t = await stat(target);
        if (t.isDirectory()) {
          if (stack.some((s) => isInside(target, s))) throw new CopyRefused(`${this.show(from)} is a symbolic link to a folder that contains it (a loop); not rendered`, from);
          await this.dir(from, target, to, depth + 1, [...stack, target]);
        } else await this.file(from, target, to);
      } else throw new CopyRefused(`${this.show(from)} is not a regular file, folder or symbolic link; not rendered`, from);
    }
  }

  async file(src: string, real: string, dest: string): Promise<void> {
    const { limits } = this.budget;
    if (++this.budget.files > limits.maxFiles) throw new CopyRefused(`the folder holds more than ${limits.maxFiles} files, the limit for one render`, src);
    // O_NOFOLLOW: the entry was a regular file (or a link resolved above) when listed; it must still be one.
    const handle = await open(real, constants.O_RDONLY | NOFOLLOW);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new CopyRefused(`${this.show(src)} is not a regular file; not rendered`, src);
      if (this.budget.bytes + info.size > limits.maxBytes) throw new CopyRefused(`the folder holds more than ${Math.round(limits.maxBytes / 1024 / 1024)} MiB, the limit for one render`, src);
      const buf = Buffer.alloc(info.size);
      const { bytesRead } = info.size ? await handle.read(buf, 0, info.size, 0) : { bytesRead: 0 };
      this.budget.bytes += bytesRead;
      await writeFile(dest, buf.subarray(0, bytesRead), { mode: 0o600 });
    } finally {
      await handle.close();
    }
  }
}

/**
 * The folder a path the user names (a CLI operand, a --values file) may not leave through links: the working
 * directory when the path lies inside it, else the path's own folder (a directory: itself).
 */
export function operandFence(cwd: string, abs: string, isDirectory = false): string {
  if (isInside(cwd, abs)) return cwd;
  return isDirectory ? abs : dirname(abs);
}
