import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { UsageError } from './errors';

const YAML_GLOB = '**/*.{yaml,yml,json}';
const IGNORE = ['**/node_modules/**', '**/.git/**'];

/** Expands CLI operands (files, directories, globs) into a sorted, de-duplicated list of files. */
export async function expandOperands(operands: string[], cwd: string): Promise<string[]> {
  const out = new Set<string>();
  for (const op of operands.length ? operands : ['.']) {
    if (/[*?{[]/.test(op)) {
      const hits = await glob(op, { cwd, absolute: true, ignore: IGNORE, dot: false });
      if (hits.length === 0) throw new UsageError(`no files match ${op}`);
      hits.forEach((h) => out.add(h));
      continue;
    }
    const abs = resolve(cwd, op);
    const info = await stat(abs).catch(() => undefined);
    if (!info) throw new UsageError(`${op}: no such file or directory`);
    if (info.isDirectory()) {
      const hits = await glob(YAML_GLOB, { cwd: abs, absolute: true, ignore: IGNORE });
      hits.forEach((h) => out.add(h));
    } else out.add(abs);
  }
  return [...out].sort();
}

export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read (${code ?? 'error'})`);
  }
}
