import { escapeControl } from '../../core/shared/controlChars';
import type { FileReport } from '../report';
import { summaryLine } from './text';

const COMMAND = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' } as const;

/**
 * A workflow command's message, escaped as GitHub's toolkit does (@actions/core, command.ts escapeData). Control
 * characters become visible escapes first, as in the text output: a LF in a YAML value is shown as `\n`, never
 * a line break of the annotation, and nothing can end the command early.
 */
export function escapeData(s: string): string {
  return escapeControl(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (file, title): escapeData plus ":" and ",", which separate properties (command.ts escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions workflow commands, one per finding (`::error file=F,line=L,col=C,endLine=..,endColumn=..,title=..::msg`),
 * which the runner turns into annotations on the pull request's lines; then the text summary line.
 */
export function formatGithub(reports: FileReport[], baselined = 0): string {
  const out: string[] = [];
  for (const r of reports) {
    for (const f of r.findings) {
      const start = r.lineIndex.positionAt(f.span.start);
      const end = r.lineIndex.positionAt(f.span.end);
      const props = [
        `file=${escapeProperty(r.path.split('\\').join('/'))}`,
        `line=${start.line + 1}`,
        `col=${start.character + 1}`,
        `endLine=${end.line + 1}`,
        `endColumn=${end.character + 1}`,
        `title=${escapeProperty(`pipeline-rbac ${f.ruleId}`)}`,
      ];
      out.push(`::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(f.message)}`);
    }
  }
  out.push(summaryLine(reports, baselined));
  return out.join('\n') + '\n';
}
