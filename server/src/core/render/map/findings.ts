/** Findings on rendered text, moved to the files they came from (pure). */
import type { Finding } from '../../engine/model';
import type { RenderedSet, SourceText } from './sourceMap';
import type { RenderFailure } from '../outcome';

export interface SourceFindings {
  file: SourceText;
  findings: Finding[];
}

/** Groups the findings by source file, spans in that file's text; a message says so when the line is not exact. */
export function mapRenderedFindings(set: RenderedSet, findings: Finding[]): SourceFindings[] {
  const byPath = new Map<string, SourceFindings>();
  const files = new Map(set.files().map((f) => [f.path, f]));
  for (const f of findings) {
    const m = set.map(f.span);
    if (!m) continue; // rendered text outside any document (nothing is analysed there)
    const file = files.get(m.path);
    if (!file) continue;
    const entry = byPath.get(m.path) ?? { file, findings: [] };
    const message = m.note ? `${f.message} (${m.note})` : f.message;
    const { documentIndex: _unused, ...rest } = f;
    entry.findings.push({ ...rest, span: m.span, message });
    byPath.set(m.path, entry);
  }
  for (const e of byPath.values()) e.findings.sort((a, b) => a.span.start - b.span.start || a.ruleId.localeCompare(b.ruleId));
  return [...byPath.values()];
}

/** A failed render as one finding in the failing file. */
export function renderFailureFindings(error: RenderFailure): SourceFindings {
  return {
    file: { path: error.path, text: error.text },
    findings: [{ ruleId: 'render-error', severity: 'error', span: error.span, message: error.message }],
  };
}
