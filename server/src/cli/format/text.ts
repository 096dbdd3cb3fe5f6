import { escapeControl } from '../../core/shared/controlChars';
import type { FileReport } from '../report';

const LABEL = { error: 'error', warning: 'warning', information: 'info', hint: 'hint' } as const;

/** eslint "stylish"-like output: one block per file, then a summary line. File names and messages (which quote YAML values) are escaped: a terminal or CI log must not obey what a file says. */
export function formatText(reports: FileReport[], color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
  let errors = 0;
  let warnings = 0;
  let others = 0;
  for (const r of reports) {
    if (r.findings.length === 0) continue;
    // A line that starts with "::" is a workflow command in GitHub Actions logs; "./" names the same relative path.
    const path = escapeControl(r.path);
    out.push(paint('4', path.startsWith('::') ? `./${path}` : path));
    for (const f of r.findings) {
      const pos = r.lineIndex.positionAt(f.span.start);
      const where = `${pos.line + 1}:${pos.character + 1}`.padEnd(8);
      const sev = LABEL[f.severity].padEnd(8);
      const sevPainted = f.severity === 'error' ? paint('31', sev) : f.severity === 'warning' ? paint('33', sev) : paint('36', sev);
      // A message of several lines (a tool's error) continues indented: no line of it can start a workflow command.
      const message = f.message.split('\n').map(escapeControl).join(`\n${' '.repeat(18)}`);
      out.push(`  ${paint('2', where)}${sevPainted}${message}  ${paint('2', f.ruleId)}`);
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else others++;
    }
    out.push('');
  }
  const total = errors + warnings + others;
  const files = reports.length;
  if (total === 0) {
    out.push(`No problems in ${files} file${files === 1 ? '' : 's'}.`);
  } else {
    const line = `\u2716 ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}, ${others} info) in ${files} file${files === 1 ? '' : 's'}`;
    out.push(errors > 0 ? paint('31;1', line) : paint('33;1', line));
  }
  return out.join('\n') + '\n';
}
