import type { FileReport } from '../report';

/** Machine-readable findings with 1-based line/column, like eslint's json formatter; `baselined` when a baseline was used. */
export function formatJson(reports: FileReport[], baselined?: number): string {
  const files = reports.map((r) => ({
    path: r.path,
    objects: r.objects.map((o) => ({ kind: o.kind, name: o.name, namespace: o.namespace ?? null })),
    findings: r.findings.map((f) => {
      const start = r.lineIndex.positionAt(f.span.start);
      const end = r.lineIndex.positionAt(f.span.end);
      return {
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        line: start.line + 1,
        column: start.character + 1,
        endLine: end.line + 1,
        endColumn: end.character + 1,
        ...(f.data ? { data: f.data } : {}),
      };
    }),
  }));
  return JSON.stringify(baselined ? { files, baselined } : { files }, null, 2) + '\n';
}
