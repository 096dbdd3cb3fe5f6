import type { Finding, RuleId, Severity } from './model';

export type SeverityOverrides = Partial<Record<RuleId, Severity | 'off'>>;

/** Applies the user's per-rule severities; `off` drops the rule's findings. */
export function applySeverities(findings: Finding[], overrides: SeverityOverrides): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const o = overrides[f.ruleId];
    if (o === 'off') continue;
    out.push(o ? { ...f, severity: o } : f);
  }
  return out;
}
