/**
 * Fingerprints of findings, for the baseline and GitLab Code Quality: a hash of the file's path (relative to the
 * fingerprint root, with "/"), the finding's key (engine/findingKey.ts: rule, object, normalised grant; no line) and
 * which occurrence of that key in the file it is (two identical grants in one file are two findings).
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding } from '../engine/model';

/** Part of every fingerprint: a change of the key's shape makes every old fingerprint stale, visibly (baseline version). */
export const FINGERPRINT_VERSION = 1;

/** `file` as fingerprints name it: relative to `root` with "/", or absolute (with "/") when outside it. */
export function fingerprintPath(root: string, file: string): string {
  const abs = resolve(root, file);
  const rel = relative(root, abs);
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  return (inside ? rel : abs).split(sep).join('/');
}

/** One fingerprint per finding (32 hex digits), aligned with `findings`; each must carry its fingerprintKey. */
export function fingerprints(path: string, findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const key = f.fingerprintKey ?? JSON.stringify([f.ruleId, f.message]);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(JSON.stringify([FINGERPRINT_VERSION, path, key, n])).digest('hex').slice(0, 32);
  });
}
