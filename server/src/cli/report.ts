import type { Finding, RbacObject } from '../engine/model';
import type { LineIndex } from '../engine/text/lineIndex';

/** What the CLI knows about one checked file. */
export interface FileReport {
  /** As the user named it (relative to the working directory where possible). */
  path: string;
  findings: Finding[];
  objects: RbacObject[];
  lineIndex: LineIndex;
}

export function hasErrors(reports: FileReport[]): boolean {
  return reports.some((r) => r.findings.some((f) => f.severity === 'error'));
}
