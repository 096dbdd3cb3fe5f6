import type { Severity } from '../../core/engine/model';
import type { FileReport } from '../report';

/** GitLab's scale is info, minor, major, critical, blocker; an error (the apiserver rejects, or the gate fails) is critical. */
export const GITLAB_SEVERITY: Record<Severity, 'info' | 'minor' | 'major' | 'critical'> = { error: 'critical', warning: 'major', information: 'minor', hint: 'info' };

/**
 * A GitLab Code Quality report (the documented subset of Code Climate's format): one issue per finding with its
 * rule as check_name, its baseline fingerprint (unique in the report, stable across unrelated edits) and the
 * 1-based line. `fingerprints` is aligned with each report's findings.
 */
export function formatGitlab(reports: FileReport[], fingerprints: readonly (readonly string[])[], paths: readonly string[]): string {
  const issues = reports.flatMap((r, i) =>
    r.findings.map((f, k) => ({
      description: f.message,
      check_name: f.ruleId,
      fingerprint: fingerprints[i]![k]!,
      severity: GITLAB_SEVERITY[f.severity],
      location: { path: paths[i]!, lines: { begin: r.lineIndex.positionAt(f.span.start).line + 1 } },
    })),
  );
  return JSON.stringify(issues, null, 2) + '\n';
}
