// Small helpers shared by the e2e support modules: polling with a deadline, log tails, positions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown by a pollUntil probe to stop polling at once (other probe errors are retried). */
export class PollAbort extends Error {}

/**
 * Polls `probe` until it returns a value other than undefined/false/null, or throws after timeoutMs
 * with `what` and the last probe error or value in the message.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      last = v;
    } catch (e) {
      if (e instanceof PollAbort) throw e;
      last = e;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message.split('\n')[0] : JSON.stringify(last);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

export function tailLines(text: string, lines: number): string {
  return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
}

export function readTail(path: string, lines: number): string {
  try {
    return tailLines(readFileSync(path, 'utf8'), lines);
  } catch {
    return `(no ${path})`;
  }
}

export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(join(dir, d.name)) : [join(dir, d.name)],
  );
}

/** 1-based line/column of the first occurrence of `needle` in `text` (for hoverAt and friends). */
export function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`positionOf: occurrence ${occurrence} of ${JSON.stringify(needle)} not found`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'shot';
}
