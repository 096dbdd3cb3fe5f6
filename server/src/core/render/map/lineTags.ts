/**
 * Exact template lines for rendered lines (pure). Helm keeps no line map, so the chart is rendered a second time with
 * each literal template line tagged by a trailing YAML comment (`#@<nonce>:<file>:<line>`); a line of the tagged
 * output that equals the real output's line plus the tag, and whose content is that template line's text, came from
 * that template line. Only lines a comment cannot change are tagged: never a line inside or ending inside a `{{ }}`
 * action, inside a `define`/`block` body (its text is spliced into other values), inside a block scalar, a possible
 * multi-line scalar or flow collection, a document marker or a comment, nor a line whose newline the next line's `{{-`
 * eats (the tag would swallow what follows).
 */
import { LineIndex } from '../../engine/text/lineIndex';

/** One tagged template: its chart-relative path (as in `# Source:`) and the lines that carry a tag (0-based). */
export interface TaggedTemplate {
  source: string;
  text: string;
  tagged: ReadonlySet<number>;
}

/** A rendered line's template line, by line of the real rendered text. */
export interface LineTag {
  source: string;
  line: number;
}

export const tagPattern = (nonce: string) => new RegExp(` #@${nonce}:(\\d+):(\\d+)`, 'g');

interface LineScan {
  /** The line starts inside an action opened on an earlier line, or ends inside one. */
  inAction: boolean;
  /** The line holds (part of) an action. */
  hasAction: boolean;
  /** Block keywords of the line's complete actions, in order. */
  keywords: string[];
  /** The line starts with `{{-` and holds an output action whose text does not start with a newline. */
  gluesToPrevious: boolean;
}

const BLOCK_OPEN = new Set(['if', 'range', 'with', 'define', 'block']);

/** Splits template text into lines and tells, per line, where template actions are (strings and comments respected). */
function scanLines(lines: string[]): LineScan[] {
  const out: LineScan[] = [];
  let open = false;
  let action = '';
  for (const line of lines) {
    const scan: LineScan = { inAction: open, hasAction: open, keywords: [], gluesToPrevious: false };
    let i = 0;
    while (i < line.length) {
      if (!open) {
        const at = line.indexOf('{{', i);
        if (at < 0) break;
        open = true;
        scan.hasAction = true;
        action = '';
        i = at + 2;
        continue;
      }
      const close = actionEnd(line, i, action);
      if (close < 0) {
        action += line.slice(i) + '\n';
        break;
      }
      action += line.slice(i, close);
      open = false;
      const word = /^-?\s*(\w+)/.exec(action)?.[1];
      if (word) scan.keywords.push(word);
      i = close + 2;
    }
    if (open) scan.inAction = true;
    const t = line.trimStart();
    if (t.startsWith('{{-') && !scan.inAction) {
      const first = /^\{\{-\s*(.*?)\s*-?\}\}/.exec(t)?.[1] ?? '';
      const control = /^(?:if|else|end|range|with|define|block|break|continue|\/\*|\$[\w]*\s*:?=)/.test(first);
      scan.gluesToPrevious = !control && !/\bnindent\s+\d+\s*$/.test(first);
    }
    out.push(scan);
  }
  return out;
}

/** Where the action that started before `from` closes on this line (`}}` outside strings and comments), or -1. */
function actionEnd(line: string, from: number, sofar: string): number {
  if (/^-?\s*\/\*/.test(sofar + line.slice(from))) {
    const m = /\*\/\s*-?\}\}/.exec(line.slice(from));
    return m ? from + m.index + m[0].length - 2 : -1;
  }
  for (let i = from; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"' || c === '`' || c === "'") {
      const end = quoteEnd(line, i, c);
      if (end < 0) return -1; // a raw string across lines: the action stays open
      i = end;
    } else if (c === '}' && line[i + 1] === '}') return i;
  }
  return -1;
}

function quoteEnd(line: string, at: number, q: string): number {
  for (let i = at + 1; i < line.length; i++) {
    if (q !== '`' && line[i] === '\\') i++;
    else if (line[i] === q) return i;
  }
  return -1;
}

const indentOf = (l: string) => l.length - l.trimStart().length;
const BLOCK_HEADER = /(?:^|:\s|^-\s|\s-\s)\s*[|>][-+1-9]*\s*(?:#.*)?$/;

/** Which lines of a template get a tag (0-based). */
export function taggableLines(text: string): Set<number> {
  const lines = text.split(/\r\n|\r|\n/);
  const scans = scanLines(lines);
  const out = new Set<number>();
  let depth: string[] = [];
  let blockParent: number | undefined;
  lines.forEach((line, i) => {
    const scan = scans[i]!;
    const t = line.trim();
    const startsWithAction = t.startsWith('{{') || scan.inAction;
    if (blockParent !== undefined && t !== '' && !startsWithAction && indentOf(line) <= blockParent) blockParent = undefined;
    const inBlock = blockParent !== undefined;
    const key = t.startsWith('- ') ? indentOf(line) + 2 : indentOf(line);
    if (!inBlock && !scan.inAction && BLOCK_HEADER.test(t.replace(/\{\{.*?\}\}/g, 'x'))) blockParent = key;
    const inDefine = depth.some((k) => k === 'define' || k === 'block');
    for (const k of scan.keywords) {
      if (BLOCK_OPEN.has(k)) depth.push(k);
      else if (k === 'end') depth = depth.slice(0, -1);
    }
    if (inBlock || scan.hasAction || t === '' || inDefine) return;
    if (t.startsWith('#') || /^(---|\.\.\.)(\s|$)/.test(t) || t.startsWith('%')) return;
    const next = nextContent(lines, scans, i);
    if (next !== undefined && scans[next]!.gluesToPrevious) return;
    const value = t.replace(/\s+#.*$/, '');
    if (next !== undefined && indentOf(lines[next]!) > key && !value.endsWith(':') && !BLOCK_HEADER.test(t)) return;
    out.add(i);
  });
  return out;
}

/** The next line after `i` that renders something (not blank, not only control actions). */
function nextContent(lines: string[], scans: LineScan[], i: number): number | undefined {
  for (let j = i + 1; j < lines.length; j++) {
    const t = lines[j]!.trim();
    if (t === '') continue;
    if (scans[j]!.gluesToPrevious) return j;
    const onlyControl = /^(\{\{-?\s*(?:if|else|end|range|with|break|continue|\/\*.*?\*\/|\$[\w]*\s*:?=)[^}]*-?\}\}\s*)+$/.test(t);
    if (onlyControl) continue;
    return j;
  }
  return undefined;
}

/** The template with a tag after each taggable line. */
export function tagTemplate(text: string, fileId: number, nonce: string): { text: string; tagged: Set<number> } {
  const tagged = taggableLines(text);
  const parts = text.split(/(\r\n|\r|\n)/);
  for (let i = 0; i < parts.length; i += 2) {
    const line = i / 2;
    if (tagged.has(line)) parts[i] = `${parts[i]!.trimEnd()} #@${nonce}:${fileId}:${line}`;
  }
  return { text: parts.join(''), tagged };
}

/**
 * Reads the tags of the tagged render back onto the real render's lines. Documents are paired in order and must come
 * from the same template with as many lines; a rendered line gets a template line only when removing the tag gives
 * exactly the real line and the line's content is that template line's text (a tag next to other output is not
 * trusted). Returns the tag per real rendered line, and the templates whose every tag was confirmed.
 */
export function readLineTags(
  real: string,
  tagged: string,
  files: readonly TaggedTemplate[],
  nonce: string,
  splitDocs: (text: string) => { start: number; end: number; source: string }[],
): { tags: Map<number, LineTag>; exact: Set<string> } {
  const tags = new Map<number, LineTag>();
  const doubtful = new Set<string>();
  const realDocs = splitDocs(real);
  const taggedDocs = splitDocs(tagged);
  if (realDocs.length !== taggedDocs.length) return { tags, exact: new Set() };
  const fileLines = files.map((f) => f.text.split(/\r\n|\r|\n/));
  const realIndex = new LineIndex(real);
  realDocs.forEach((rd, d) => {
    const td = taggedDocs[d]!;
    const lineBase = realIndex.lineOf(rd.start);
    const rl = real.slice(rd.start, rd.end).split(/\r\n|\r|\n/);
    const tl = tagged.slice(td.start, td.end).split(/\r\n|\r|\n/);
    if (rd.source !== td.source || rl.length !== tl.length) {
      doubtful.add(rd.source);
      return;
    }
    tl.forEach((line, k) => {
      const found = [...line.matchAll(tagPattern(nonce))];
      if (found.length === 0) return;
      const stripped = line.replace(tagPattern(nonce), '');
      const last = found[found.length - 1]!;
      const file = files[Number(last[1])];
      const tplLine = fileLines[Number(last[1])]?.[Number(last[2])];
      const atEnd = last.index + last[0].length === line.trimEnd().length;
      if (!file || tplLine === undefined || found.length > 1 || !atEnd || stripped.trimEnd() !== rl[k]!.trimEnd() || stripped.trim() !== tplLine.trim()) {
        if (file) doubtful.add(file.source);
        return;
      }
      tags.set(lineBase + k, { source: file.source, line: Number(last[2]) });
    });
  });
  const exact = new Set(files.map((f) => f.source).filter((s) => !doubtful.has(s)));
  return { tags, exact };
}
