import type { Finding } from './model';

/** Drops findings that repeat an earlier one's place and message (two checks reaching the same conclusion). */
export function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.span.start}:${f.span.end}:${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
