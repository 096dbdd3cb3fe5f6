// Text from the cluster or the workspace placed into Markdown the extension renders (tree tooltips, hovers,
// summaries, previews): it must read as the literal text, never become an image, link, HTML, heading or table
// cell of its own. The one place that decides how; every Markdown builder goes through it.

/**
 * What gives text a meaning inside a line: escapes, code, emphasis, strike-through, links and images (`[`, `]`, `!`),
 * HTML and autolinks (`<`, `>`), entities (`&`), table cells (`|`), headings (`#`) and math (`$`, which VS Code's
 * preview renders). `/`, `.`, `-` and parentheses mean nothing once `[` and `]` are escaped and stay readable.
 */
const SPECIAL = /[\\`*_~[\]!<>&|#$]/g;

/** Literal text inside a Markdown paragraph, list item, heading or table cell: one line, every special escaped. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/(?:\r\n|[\r\n\u2028\u2029])+/g, ' ')
    .replace(SPECIAL, (c) => `\\${c}`)
    // A URL stays text: the preview's linkify would otherwise make it a link (and keep a backslash in it).
    .replace(/:\/\//g, '\\://')
    // At the start of a line (a list item's text, a table cell) these would start a list or a heading underline.
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** Literal text as an inline code span: delimited by more backticks than it contains, on one line. */
export function markdownCode(text: string): string {
  const oneLine = text.replace(/(?:\r\n|[\r\n\u2028\u2029])+/g, ' ');
  const longest = Math.max(0, ...[...oneLine.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || /^ .* $/.test(oneLine) ? ' ' : '';
  return `${ticks}${pad}${oneLine}${pad}${ticks}`;
}

/** A fenced code block that the text cannot close: the fence is longer than any backtick run inside. */
export function markdownFence(lang: string, text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang.replace(/[^\w-]/g, '')}`, text.trimEnd(), fence];
}
