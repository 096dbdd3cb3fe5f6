// The job summary of the GitHub Action: counts and a table of the findings, read from the SARIF report the CLI wrote.
// Messages quote YAML values and file names written by strangers: every cell is escaped so it stays text (no
// markup, links, HTML or line breaks of its own), and the table is bounded.

/** At most this many rows; the rest is counted (GitHub takes at most 1 MiB of summary per step). */
export const MAX_ROWS = 200;

const LEVELS = { error: 'error', warning: 'warning', note: 'note', none: 'note' };
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they become escapes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const ESCAPES = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** Text as one table cell: control characters as escapes, every ASCII punctuation character backslash-escaped. */
export function cell(text) {
  return String(text)
    .replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** The findings of a SARIF 2.1.0 report as plain rows. */
export function findingsOf(sarif) {
  const run = sarif?.runs?.[0];
  const rules = run?.tool?.driver?.rules ?? [];
  return (run?.results ?? []).map((r) => {
    const loc = r.locations?.[0]?.physicalLocation;
    const uri = loc?.artifactLocation?.uri ?? '';
    let path = uri;
    try {
      path = uri.startsWith('file:') ? new URL(uri).pathname : uri.split('/').map(decodeURIComponent).join('/');
    } catch {}
    const rule = rules[r.ruleIndex]?.id === r.ruleId ? rules[r.ruleIndex] : rules.find((x) => x.id === r.ruleId);
    return { level: LEVELS[r.level] ?? 'warning', ruleId: String(r.ruleId ?? ''), docs: rule?.helpUri, path, line: loc?.region?.startLine ?? 1, message: r.message?.text ?? '' };
  });
}

export function countsOf(findings) {
  const counts = { errors: 0, warnings: 0, notes: 0 };
  for (const f of findings) counts[f.level === 'error' ? 'errors' : f.level === 'warning' ? 'warnings' : 'notes']++;
  return counts;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Markdown for GITHUB_STEP_SUMMARY: the CLI's own summary line (with the baseline's share), then the table. */
export function summaryMarkdown(findings, headline) {
  const lines = ['### Pipeline RBAC', '', `${cell(headline)}`, ''];
  if (!findings.length) return lines.join('\n');
  lines.push('| severity | rule | file | message |', '| --- | --- | --- | --- |');
  const order = { error: 0, warning: 1, note: 2 };
  const rows = [...findings].sort((a, b) => order[a.level] - order[b.level] || a.path.localeCompare(b.path) || a.line - b.line);
  for (const f of rows.slice(0, MAX_ROWS)) {
    const rule = typeof f.docs === 'string' && /^https:\/\/[^\s()]+$/.test(f.docs) ? `[${cell(f.ruleId)}](${f.docs})` : cell(f.ruleId);
    lines.push(`| ${f.level} | ${rule} | ${cell(f.path)}:${f.line} | ${cell(f.message)} |`);
  }
  if (rows.length > MAX_ROWS) lines.push('', `${plural(rows.length - MAX_ROWS, 'more finding')} not shown: see the annotations or the SARIF report.`);
  lines.push('');
  return lines.join('\n');
}
