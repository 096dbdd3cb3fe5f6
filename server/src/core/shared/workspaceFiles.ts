/**
 * Reads workspace files for indexing, treating the workspace as untrusted: globs stay inside the workspace folder,
 * symbolic links are not followed (not into folders, not to files; a link to /dev/zero or to a folder outside is never
 * opened), only regular files are read, and every cost is bounded before the work (file count, each file's size by
 * stat before reading, total bytes, time).
 */
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { glob } from 'tinyglobby';

export interface ScanLimits {
  /** Files read per scan (all folders). */
  maxFiles: number;
  /** Bytes of one file; larger files are skipped after a stat, never read. */
  maxFileBytes: number;
  /** Bytes read per scan. */
  maxTotalBytes: number;
  /** Milliseconds a scan may take; files after that are not read. */
  maxMillis: number;
}

export const SCAN_LIMITS: Readonly<ScanLimits> = {
  maxFiles: 2000,
  maxFileBytes: 2 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxMillis: 60_000,
};

/** What a scan read and what it left out, with why (for the server's log). */
export interface ScanReport {
  read: number;
  /** A few of the skipped files with the reason (the first ones). */
  skipped: { path: string; reason: string }[];
  skippedCount: number;
  /** Globs refused because they could match outside the workspace folder. */
  refusedGlobs: string[];
  /** Why the scan stopped early, if it did. */
  stoppedBecause?: string;
}

const MAX_SKIPPED_LISTED = 20;
/** Folder depth the crawl descends to. */
const MAX_DEPTH = 32;
// Not on Windows; there the link check before opening is what stands.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The globs that can only match inside the folder they are resolved against: relative, without a `..` segment
 * (also inside braces), not starting at a home directory.
 */
export function insideGlobs(globs: readonly string[]): { safe: string[]; refused: string[] } {
  const safe: string[] = [];
  const refused: string[] = [];
  for (const g of globs) {
    const pattern = g.startsWith('!') ? g.slice(1) : g;
    const escapes = isAbsolute(pattern) || /^[\\/~]|^[A-Za-z]:/.test(pattern) || /(^|[\\/{,])\.\.(?=$|[\\/},])/.test(pattern);
    (escapes ? refused : safe).push(g);
  }
  return { safe, refused };
}

/**
 * Reads the workspace files matching `globs` in each folder, handing each text to `visit` (awaited, so the visitor
 * may yield or parse elsewhere). Never throws for a file: unreadable or refused files are counted in the report.
 */
export async function forEachWorkspaceFile(
  folders: readonly string[],
  globs: readonly string[],
  visit: (text: string, relPath: string) => void | Promise<void>,
  limits: ScanLimits = SCAN_LIMITS,
): Promise<ScanReport> {
  const { safe, refused } = insideGlobs(globs);
  const report: ScanReport = { read: 0, skipped: [], skippedCount: 0, refusedGlobs: refused };
  const skip = (path: string, reason: string) => {
    report.skippedCount++;
    if (report.skipped.length < MAX_SKIPPED_LISTED) report.skipped.push({ path, reason });
  };
  if (!safe.some((g) => !g.startsWith('!'))) return report;
  const started = Date.now();
  let bytes = 0;
  for (const folder of folders) {
    let root: string;
    try {
      root = await realpath(folder);
    } catch {
      continue; // the folder is gone
    }
    const files = await glob(safe, { cwd: root, absolute: true, followSymbolicLinks: false, onlyFiles: true, deep: MAX_DEPTH, ignore: ['**/node_modules/**', '**/.git/**'] });
    for (const file of files) {
      const rel = relative(root, file);
      if (report.read >= limits.maxFiles) report.stoppedBecause ??= `more than ${limits.maxFiles} files match`;
      else if (bytes >= limits.maxTotalBytes) report.stoppedBecause ??= `${limits.maxTotalBytes} bytes were read`;
      else if (Date.now() - started > limits.maxMillis) report.stoppedBecause ??= `the scan took more than ${limits.maxMillis / 1000} s`;
      if (report.stoppedBecause) return report;
      const got = await readRegularFile(root, file, limits.maxFileBytes);
      if (typeof got !== 'string') {
        skip(rel, got.skip);
        continue;
      }
      bytes += got.length;
      report.read++;
      await visit(got, rel);
    }
  }
  return report;
}

/** The text of `file` if it is a regular file inside `root` of at most `maxBytes`, else why not. */
export async function readRegularFile(root: string, file: string, maxBytes: number): Promise<string | { skip: string }> {
  try {
    const l = await lstat(file);
    if (l.isSymbolicLink()) return { skip: 'a symbolic link (not followed)' };
    if (!l.isFile()) return { skip: 'not a regular file' };
    if (l.size > maxBytes) return { skip: `larger than ${maxBytes} bytes (${l.size})` };
    // A folder on the way may have been swapped for a link since the crawl: the real path must still be inside.
    const real = await realpath(file);
    if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) return { skip: 'outside the workspace folder' };
    const handle = await open(real, OPEN_FLAGS);
    try {
      // What was opened is what counts (the name may now point elsewhere): a regular file, still small enough.
      const s = await handle.stat();
      if (!s.isFile()) return { skip: 'not a regular file' };
      if (s.size > maxBytes) return { skip: `larger than ${maxBytes} bytes (${s.size})` };
      const buf = Buffer.alloc(Math.min(maxBytes + 1, s.size + 1));
      let n = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buf, n, buf.length - n, n);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n === buf.length) break;
      }
      if (n > s.size) return { skip: 'changed while read' };
      return buf.toString('utf8', 0, n);
    } finally {
      await handle.close();
    }
  } catch (e) {
    return { skip: `unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}
