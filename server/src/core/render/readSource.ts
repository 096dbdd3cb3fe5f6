/** Reads a source file a rendered document names, only when it really lies inside the rendered directory. */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Larger templates are not mapped line by line (the finding goes to the chart's Chart.yaml). */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** The text of `root/rel`, or undefined when it escapes `root` (also through symlinks), is not a file or is too big. */
export function readInside(root: string, rel: string): { abs: string; text: string } | undefined {
  if (isAbsolute(rel)) return undefined;
  try {
    const realRoot = realpathSync(root);
    const abs = realpathSync(resolve(root, rel));
    const back = relative(realRoot, abs);
    if (back === '' || back.startsWith('..') || isAbsolute(back) || back.split(sep).includes('..')) return undefined;
    const info = statSync(abs);
    if (!info.isFile() || info.size > MAX_SOURCE_BYTES) return undefined;
    return { abs: resolve(root, rel), text: readFileSync(abs, 'utf8') };
  } catch {
    return undefined;
  }
}
