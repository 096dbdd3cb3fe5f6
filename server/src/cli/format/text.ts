import { escapeControl } from '../../core/shared/controlChars';
import type { FileReport } from '../report';

const LABEL = { error: 'error', warning: 'warning', information: 'info', hint: 'hint' } as const;

/** eslint "stylish"-like output: one block per file, then a summary line. File names and messages (which quote YAML values) are escaped: a terminal or CI log must not obey what a file says. */
export function formatText(reports: FileReport[], color: boolean, baselined = 0): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
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
      // A tool's error of several lines (render-error) continues indented behind "| ": GitHub's runner trims leading
      // spaces before it looks for a workflow command, so no continuation line may start with "::". Any other message's
      // line breaks come from YAML values and are shown as escapes.
      const lines = f.ruleId === 'render-error' ? f.message.split('\n') : [f.message];
      const message = lines.map(escapeControl).join(`\n${' '.repeat(16)}| `);
      out.push(`  ${paint('2', where)}${sevPainted}${message}  ${paint('2', f.ruleId)}`);
    }
    out.push('');
  }
  const line = summaryLine(reports, baselined);
  const errors = reports.some((r) => r.findings.some((f) => f.severity === 'error'));
  const any = reports.some((r) => r.findings.length > 0);
  out.push(!any ? line : errors ? paint('31;1', line) : paint('33;1', line));
  return out.join('\n') + '\n';
}

/** "No problems in 3 files." or "✖ 4 problems (1 error, 3 warnings, 0 info) in 3 files", with the baseline's share. */
export function summaryLine(reports: FileReport[], baselined = 0): string {
  let errors = 0;
  let warnings = 0;
  let others = 0;
  for (const f of reports.flatMap((r) => r.findings)) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else others++;
  }
  const total = errors + warnings + others;
  const files = reports.length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const inBaseline = baselined ? `; ${plural(baselined, 'finding')} in the baseline not shown` : '';
  if (total === 0) return `No ${baselined ? 'new ' : ''}problems in ${plural(files, 'file')}${inBaseline}.`;
  return `\u2716 ${plural(total, baselined ? 'new problem' : 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${others} info) in ${plural(files, 'file')}${inBaseline}`;
}
