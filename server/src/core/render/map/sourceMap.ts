/**
 * Rendered manifests (helm template, kustomize build) and the way back from a span of the rendered text to the file a
 * person edits (pure). Findings are computed on the rendered text and then shown where they came from.
 */
import type { Span } from '../../engine/model';
import { LineIndex } from '../../engine/text/lineIndex';

/** One source file a rendered document came from, as read by the caller. */
export interface SourceText {
  /** Path to show (relative to the working directory where possible). */
  path: string;
  text: string;
}

export interface MappedSpan {
  path: string;
  /** Offsets in the source file's text. */
  span: Span;
  /** False when only the document (or file) is known, not the line. */
  located: boolean;
  /** Said after the message when not located, so the position is not taken as exact. */
  note?: string;
}

/** One rendered document: its offsets in the rendered text and the source it came from. */
export interface RenderedDoc {
  start: number;
  end: number;
  /** Key into the sources map (e.g. "templates/role.yaml", or a kustomize resource path). */
  source: string;
  /** Index of this document among those rendered from the same source. */
  indexInSource: number;
}

export interface RenderedSet {
  /** The text the engine analyses. */
  text: string;
  docs: RenderedDoc[];
  /** Where a span of `text` came from; undefined only when the rendered text is not from any known file. */
  map(span: Span): MappedSpan | undefined;
  /** Every source file, for reports (path -> text). */
  files(): SourceText[];
  /** A short label for the whole render, e.g. "chart web (helm template)". */
  label: string;
  /** What rendered it, and the file that stands for the whole render (Chart.yaml, the kustomization). */
  tool: 'helm' | 'kustomize';
  root: SourceText;
  /** Helm: the same set, with the exact template lines a tagged second render found (lineTags.ts). */
  withLineTags?: (tags: LineTags) => RenderedSet;
}

/** Exact template lines of rendered lines (lineTags.ts). */
export interface LineTags {
  /** By line of the rendered text: the chart-relative template and its 0-based line. */
  tags: ReadonlyMap<number, { source: string; line: number }>;
  /** Templates whose every tag was confirmed, with the lines that carry one. */
  exact: ReadonlyMap<string, ReadonlySet<number>>;
}

/** Finds the rendered document holding an offset (documents are sorted and disjoint). */
export function docAt(docs: readonly RenderedDoc[], offset: number): RenderedDoc | undefined {
  let lo = 0;
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = docs[mid]!;
    if (offset < d.start) hi = mid - 1;
    else if (offset >= d.end) lo = mid + 1;
    else return d;
  }
  return undefined;
}

/** The span of `value` on `line` of `text`, else of its first `{{ }}` action, else of the line's content. */
export function spanOnLine(index: LineIndex, line: number, value: string): Span {
  const start = index.offsetAt({ line, character: 0 });
  const end = index.offsetAt({ line, character: Number.MAX_SAFE_INTEGER });
  const content = index.text.slice(start, end);
  for (const v of [value, unquote(value)]) {
    if (v.trim() === '') continue;
    const i = content.indexOf(v);
    if (i >= 0) return { start: start + i, end: start + i + v.length };
  }
  const action = /\{\{.*?\}\}/.exec(content);
  if (action) return { start: start + action.index, end: start + action.index + action[0].length };
  const lead = content.length - content.trimStart().length;
  return { start: start + lead, end: start + content.trimEnd().length };
}

function unquote(v: string): string {
  const t = v.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/** The first non-blank line at or after `line`, as a span (a document's start). */
export function documentStartSpan(index: LineIndex, line: number): Span {
  for (let l = line; l < index.lineCount; l++) {
    const start = index.offsetAt({ line: l, character: 0 });
    const end = index.offsetAt({ line: l, character: Number.MAX_SAFE_INTEGER });
    const content = index.text.slice(start, end);
    if (content.trim() !== '' && !/^---/.test(content)) return { start, end };
  }
  return { start: 0, end: 0 };
}
