/**
 * At most so many findings per rule and file: a hostile or broken file (a line of 100,000 stray quotes gives a
 * syntax error per two bytes) must not become megabytes of output or a Problems panel the editor cannot draw. The
 * rest of a rule's findings become one finding that says how many were left out, where the first of them is, and is as
 * severe as the most severe of them (so exit codes and error counts stay true).
 */
import type { Finding, RuleId, Severity } from './model';

export const MAX_FINDINGS_PER_RULE = 100;

const RANK: Record<Severity, number> = { error: 3, warning: 2, information: 1, hint: 0 };

interface Omitted {
  count: number;
  first: Finding;
  severity: Severity;
}

/** The findings in source order, at most `perRule` of each rule plus one "N more" finding per rule that had more. */
export function capFindings(findings: readonly Finding[], perRule = MAX_FINDINGS_PER_RULE): Finding[] {
  const sorted = [...findings].sort(bySource);
  const shown = new Map<RuleId, number>();
  const omitted = new Map<RuleId, Omitted>();
  const out: Finding[] = [];
  for (const f of sorted) {
    // A summary from an earlier cap (findings merged from two sources) adds its count instead of being counted.
    const earlier = f.data?.omitted;
    const n = shown.get(f.ruleId) ?? 0;
    if (earlier === undefined && n < perRule) {
      shown.set(f.ruleId, n + 1);
      out.push(f);
      continue;
    }
    const o = omitted.get(f.ruleId);
    const count = earlier ?? 1;
    if (!o) omitted.set(f.ruleId, { count, first: f, severity: f.severity });
    else {
      o.count += count;
      if (RANK[f.severity] > RANK[o.severity]) o.severity = f.severity;
    }
  }
  for (const [ruleId, o] of omitted) out.push(summary(ruleId, o, perRule));
  return out.sort(bySource);
}

function summary(ruleId: RuleId, o: Omitted, perRule: number): Finding {
  const what = o.count === 1 ? `1 more ${ruleId} finding` : `${o.count} more ${ruleId} findings`;
  const f: Finding = {
    ruleId,
    severity: o.severity,
    message: `${what} in this file, from here on, ${o.count === 1 ? 'is' : 'are'} not shown (at most ${perRule} per rule and file are listed).`,
    span: o.first.span,
    data: { omitted: o.count },
  };
  if (o.first.documentIndex !== undefined) f.documentIndex = o.first.documentIndex;
  return f;
}

function bySource(a: Finding, b: Finding): number {
  return a.span.start - b.span.start || a.ruleId.localeCompare(b.ruleId);
}
