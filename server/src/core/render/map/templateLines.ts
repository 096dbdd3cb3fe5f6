/**
 * Which template line produced each line of a rendered Helm document (pure). Helm keeps no line map, so the rendered
 * text is aligned with the template: literal lines match literally, a line with actions (`key: {{ .Values.x }}`) matches
 * as a pattern whose actions stand for any text, a line that is only an output action (`{{ include ... | nindent 4 }}`,
 * `{{ toYaml .Values.rules }}`) owns the lines it generates, and control lines (`if`, `range`, `end`...) render nothing.
 * `range` bodies repeat, so when nothing matches further on, the search starts again at the document's top.
 */

export type LineKind = 'blank' | 'literal' | 'pattern' | 'output' | 'control';

export interface TemplateLine {
  text: string;
  kind: LineKind;
  /** Literal and pattern lines: matches the trimmed rendered line. */
  pattern?: RegExp;
  /** The line ends with an output action, so it may render several lines (`rules: {{- toYaml .x | nindent 2 }}`). */
  generates: boolean;
}

export interface LineMatch {
  /** 0-based line in the template file. */
  line: number;
  how: 'exact' | 'pattern' | 'action';
}

const ACTION = /\{\{.*?\}\}/g;
const CONTROL = /^\{\{-?\s*(?:if|else|end|range|with|define|block|break|continue|\/\*|\$[\w]*\s*:?=)/;

function isControl(action: string): boolean {
  return CONTROL.test(action) || /^\{\{-?\s*\/\*/.test(action);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function classifyLine(text: string): TemplateLine {
  const trimmed = text.trim();
  if (trimmed === '') return { text, kind: 'blank', generates: false };
  const actions = trimmed.match(ACTION) ?? [];
  if (actions.length === 0) {
    // An action spanning lines (rare): its inner lines are neither literal nor output we can place.
    if (trimmed.includes('{{') || trimmed.includes('}}')) return { text, kind: 'control', generates: false };
    return { text, kind: 'literal', pattern: new RegExp(`^${escapeRe(trimmed)}$`), generates: false };
  }
  const literal = trimmed.replace(ACTION, '').trim();
  const outputs = actions.filter((a) => !isControl(a));
  if (literal === '') return { text, kind: outputs.length ? 'output' : 'control', generates: outputs.length > 0 };
  const parts = trimmed.split(ACTION).map(escapeRe);
  const source = parts.map((p, i) => (i < parts.length - 1 ? `${p}.*?` : p)).join('');
  // `{{-` eats the whitespace before it, so whitespace next to an action is optional.
  const flexible = source.replace(/ +(?=\.\*\?)|(?<=\.\*\?) +/g, ' *');
  const lastIsAction = /\}\}\s*$/.test(trimmed) && !isControl(actions[actions.length - 1]!);
  return { text, kind: 'pattern', pattern: new RegExp(`^${flexible}$`), generates: lastIsAction };
}

function matches(t: TemplateLine, rendered: string): 'exact' | 'pattern' | undefined {
  if (!t.pattern) return undefined;
  if (!t.pattern.test(rendered)) return undefined;
  return t.kind === 'literal' ? 'exact' : 'pattern';
}

/**
 * Aligns the rendered lines of one document with template lines [from, to) of `template`. Returns one entry per
 * rendered line; undefined where no template line can be shown to have produced it (blank lines, helm's comments).
 */
export function alignDocument(
  template: TemplateLine[],
  from: number,
  to: number,
  rendered: string[],
  anchors?: ReadonlyMap<number, number>,
): (LineMatch | undefined)[] {
  const out: (LineMatch | undefined)[] = [];
  let last = from - 1;
  let generating = false;
  const nextContent = (after: number) => {
    for (let j = after + 1; j < to; j++) if (template[j]!.kind !== 'blank' && template[j]!.kind !== 'control') return j;
    return -1;
  };
  for (const [k, raw] of rendered.entries()) {
    // A line whose template line is known exactly (lineTags.ts) places the search for the lines after it.
    const anchor = anchors?.get(k);
    if (anchor !== undefined && anchor >= from && anchor < to) {
      last = anchor;
      generating = false;
      out.push({ line: anchor, how: 'exact' });
      continue;
    }
    const r = raw.trim();
    if (r === '' || r === '---' || r.startsWith('# Source:')) {
      out.push(undefined);
      continue;
    }
    if (generating) {
      const n = nextContent(last);
      const how = n >= 0 ? matches(template[n]!, r) : undefined;
      if (how) {
        last = n;
        generating = template[n]!.generates;
        out.push({ line: n, how });
        continue;
      }
      // A whole-line action (include, toYaml) owns what follows; after `key: {{ x }}` a later line may match instead
      // (the next item of a range body).
      const again = template[last]!.kind === 'pattern' ? scanLiteral(template, last, to, r) ?? scanFrom(template, from, last, r) : undefined;
      if (again) {
        last = again.line;
        generating = template[again.line]!.generates;
        out.push(again);
      } else out.push({ line: last, how: 'action' });
      continue;
    }
    const found = scanForward(template, last, to, r, nextContent) ?? scanFrom(template, from, Math.min(last + 1, to), r);
    if (found) {
      last = found.line;
      generating = found.how === 'action' || template[found.line]!.generates;
    }
    out.push(found);
  }
  return out;
}

/**
 * The template as the alignment of untagged lines sees it: a line that carries a tag renders only tagged lines, so it
 * never produced an untagged one and stands for nothing (like a control line).
 */
export function withoutTagged(template: TemplateLine[], tagged: ReadonlySet<number>): TemplateLine[] {
  return template.map((t, i) => (tagged.has(i) ? { text: t.text, kind: 'control', generates: false } : t));
}

function scanForward(
  template: TemplateLine[],
  last: number,
  to: number,
  r: string,
  nextContent: (after: number) => number,
): LineMatch | undefined {
  for (let j = last + 1; j < to; j++) {
    const t = template[j]!;
    if (t.kind === 'blank' || t.kind === 'control') continue;
    const how = matches(t, r);
    if (how) return { line: j, how };
    if (t.kind === 'output') {
      // An output action that rendered nothing (an empty include, a false `if` inside it) is passed over when the
      // next line matches; otherwise it produced this line.
      const n = nextContent(j);
      const nextHow = n >= 0 ? matches(template[n]!, r) : undefined;
      return nextHow ? { line: n, how: nextHow } : { line: j, how: 'action' };
    }
  }
  return undefined;
}

/** The next exact or pattern match after `last`, passing over everything else. */
function scanLiteral(template: TemplateLine[], last: number, to: number, r: string): LineMatch | undefined {
  for (let j = last + 1; j < to; j++) {
    const how = matches(template[j]!, r);
    if (how) return { line: j, how };
  }
  return undefined;
}

/** A `range` body rendered again: the same lines match from the top of the document. */
function scanFrom(template: TemplateLine[], from: number, to: number, r: string): LineMatch | undefined {
  for (let j = from; j < to; j++) {
    const how = matches(template[j]!, r);
    if (how) return { line: j, how };
  }
  return undefined;
}

/** [start, end) line ranges of the YAML documents of a template file (split at `---` lines). */
export function documentRanges(lines: string[]): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  lines.forEach((l, i) => {
    if (/^---(\s|$)/.test(l)) {
      out.push([start, i]);
      start = i + 1;
    }
  });
  out.push([start, lines.length]);
  // helm drops documents that render to nothing; a range holding only blank lines never renders.
  const content = out.filter(([a, b]) => lines.slice(a, b).some((l) => l.trim() !== ''));
  return content.length ? content : [[0, lines.length]];
}
