import type { Finding } from '../core/engine/model';
import type { LineIndex } from '../core/engine/text/lineIndex';

/** What the CLI knows about one checked file. */
export interface FileReport {
  /** As the user named it (relative to the working directory where possible). */
  path: string;
  findings: Finding[];
  /** The RBAC objects found, by kind and name. */
  objects: { kind: string; name: string; namespace?: string }[];
  lineIndex: LineIndex;
}

export function hasErrors(reports: FileReport[]): boolean {
  return reports.some((r) => r.findings.some((f) => f.severity === 'error'));
}
