import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding, Severity, Span } from '../core/engine/model';
import type { LineIndex } from '../core/engine/text/lineIndex';
import { ruleMeta } from '../core/engine/rules/catalog';

export const SOURCE = 'pipeline-rbac';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toRange(span: Span, lines: LineIndex) {
  return { start: lines.positionAt(span.start), end: lines.positionAt(span.end) };
}

/** A finding the repository's baseline holds is shown one severity lower (never above a hint), tagged "in baseline". */
const LOWER: Record<Severity, Severity> = { error: 'warning', warning: 'information', information: 'hint', hint: 'hint' };
export const IN_BASELINE = 'in baseline';

export function toDiagnostic(f: Finding, lines: LineIndex, inBaseline = false): Diagnostic {
  const href = ruleMeta(f.ruleId).docs;
  return {
    range: toRange(f.span, lines),
    severity: SEVERITY[inBaseline ? LOWER[f.severity] : f.severity],
    source: SOURCE,
    code: f.ruleId,
    ...(href ? { codeDescription: { href } } : {}),
    message: inBaseline ? `${f.message} (${IN_BASELINE})` : f.message,
    data: { ruleId: f.ruleId, ...(f.data ?? {}), ...(inBaseline ? { inBaseline: true } : {}) },
  };
}
