import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { glob } from 'tinyglobby';
import { UsageError } from './errors';

const YAML_GLOB = '**/*.{yaml,yml,json}';
const IGNORE = ['**/node_modules/**', '**/.git/**'];

/** The operand that names standard input (`helm template . | pipeline-rbac check -`). */
export const STDIN_OPERAND = '-';

/** The most one input (a file or standard input) may hold; checked before it is read, so nothing huge is buffered. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/**
 * Expands CLI operands (files, directories, globs) into a sorted, de-duplicated list of files. An operand that matches
 * no file is an error (exit 2), as in eslint: a CI gate pointed at the wrong folder must not pass on zero files.
 */
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
      if (hits.length === 0) throw new UsageError(`no files match ${op} (a directory is searched for *.yaml, *.yml and *.json files)`);
      hits.forEach((h) => out.add(h));
    } else if (info.isFile()) out.add(abs);
    else throw new UsageError(`${op}: not a regular file or directory`);
  }
  return [...out].sort();
}

function tooLarge(what: string, max: number): UsageError {
  return new UsageError(`${what} holds more than ${max} bytes, the limit for one input`);
}

export function readText(path: string): Promise<string> {
  return readBounded(path, MAX_INPUT_BYTES);
}

/**
 * A regular file of at most `max` bytes (checked before reading). `what` prefixes messages ("baseline"); `hint` follows
 * the message for a file that does not exist; `shown` is how messages name the file.
 */
export async function readBounded(path: string, max: number, what?: string, hint?: string, shown = path): Promise<string> {
  const name = what ? `${what} ${shown}` : shown;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && what) throw new UsageError(`${name}: no such file${hint ? ` (${hint})` : ''}`);
    throw new UsageError(`${name}: cannot read (${code ?? 'error'})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UsageError(`${name}: not a regular file`);
    if (info.size > max) throw tooLarge(`${name} (${info.size} bytes)`, max);
    return await handle.readFile('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${name}: cannot read (${code ?? 'error'})`);
  } finally {
    await handle.close();
  }
}

/** Standard input, refused past MAX_INPUT_BYTES and when empty (the command before the pipe may have failed). */
export async function readStdin(input: Readable = process.stdin, max = MAX_INPUT_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > max) {
      input.destroy();
      throw tooLarge('standard input', max);
    }
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new UsageError('standard input is empty: nothing to check (did the command before the pipe fail?)');
  return text;
}
