/**
 * `helm template` output back to the chart's templates (pure): helm prefixes every rendered document with
 * `# Source: <chart>/templates/<file>`; within a document the line is found by aligning it with the template
 * (templateLines.ts).
 */
import type { Span } from '../../engine/model';
import { LineIndex } from '../../engine/text/lineIndex';
import { docAt, documentStartSpan, spanOnLine, type LineTags, type MappedSpan, type RenderedDoc, type RenderedSet, type SourceText } from './sourceMap';
import { alignDocument, classifyLine, documentRanges, withoutTagged, type LineMatch, type TemplateLine } from './templateLines';

const SOURCE = /^# Source: (.+)$/;

/** Splits helm's output into documents with the chart-relative template path of each ("templates/role.yaml"). */
export function splitHelmOutput(rendered: string): RenderedDoc[] {
  const docs: RenderedDoc[] = [];
  const counts = new Map<string, number>();
  const seps = [...rendered.matchAll(/^---[ \t]*$/gm)].map((m) => m.index);
  const bounds = [0, ...seps, rendered.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i]!;
    const end = bounds[i + 1]!;
    const body = rendered.slice(start, end);
    const m = SOURCE.exec(body.split(/\r?\n/).find((l) => l.startsWith('# Source:')) ?? '');
    if (!m) continue;
    // "<chart>/templates/x.yaml": the chart directory's own name may differ from the chart's name, so drop the first segment.
    const source = m[1]!.trim().split('/').slice(1).join('/');
    const n = counts.get(source) ?? 0;
    counts.set(source, n + 1);
    docs.push({ start, end, source, indexInSource: n });
  }
  return docs;
}

/**
 * helm sorts the documents of a release by kind (install order), so the n-th document rendered from a template file is
 * not always its n-th document: each of the template's documents is tried and the one whose lines match best wins.
 */
function bestAlignment(t: TemplateInfo, docLines: string[], indexInSource: number, anchors: Map<number, number>): { alignment: (LineMatch | undefined)[]; from: number } {
  let best: { alignment: (LineMatch | undefined)[]; from: number; score: number } | undefined;
  // Exactly tagged lines name the template document; otherwise the best-matching one.
  const first = anchors.values().next();
  const ranges = first.done ? t.ranges : t.ranges.filter(([from, to]) => first.value >= from && first.value < to);
  const lines = t.tagged ? withoutTagged(t.lines, t.tagged) : t.lines;
  (ranges.length ? ranges : t.ranges).forEach(([from, to]) => {
    const i = t.ranges.findIndex((r) => r[0] === from);
    const alignment = alignDocument(lines, from, to, docLines, anchors);
    // Literal lines weigh most; the document at the same position wins ties.
    const score = alignment.reduce((s, m) => s + (m ? (m.how === 'exact' ? 3 : m.how === 'pattern' ? 2 : 0) : 0), 0) + (i === indexInSource ? 0.5 : 0);
    if (!best || score > best.score) best = { alignment, from, score };
  });
  return best ?? { alignment: [], from: 0 };
}

interface TemplateInfo {
  file: SourceText;
  index: LineIndex;
  lines: TemplateLine[];
  ranges: [number, number][];
  /** Lines that carry a tag, when every tag of the template was confirmed. */
  tagged?: ReadonlySet<number> | undefined;
}

/**
 * The rendered chart with its way back to the templates. `templates` maps chart-relative paths (as in `# Source:`) to
 * the template's text and the path to show; `fallback` is where findings go whose template is not a file (a packaged
 * subchart): the chart's Chart.yaml.
 */
export function helmRenderedSet(rendered: string, templates: Map<string, SourceText>, fallback: SourceText, label: string, lineTags?: LineTags): RenderedSet {
  const docs = splitHelmOutput(rendered);
  const renderedIndex = new LineIndex(rendered);
  const infos = new Map<string, TemplateInfo>();
  const alignments = new Map<RenderedDoc, { alignment: (LineMatch | undefined)[]; from: number }>();
  const info = (source: string): TemplateInfo | undefined => {
    const file = templates.get(source);
    if (!file) return undefined;
    let i = infos.get(source);
    if (!i) {
      const lines = file.text.split(/\r\n|\r|\n/);
      i = { file, index: new LineIndex(file.text), lines: lines.map(classifyLine), ranges: documentRanges(lines), tagged: lineTags?.exact.get(source) };
      infos.set(source, i);
    }
    return i;
  };
  const map = (span: Span): MappedSpan | undefined => {
    const doc = docAt(docs, span.start);
    if (!doc) return undefined;
    const value = rendered.slice(span.start, Math.min(span.end, rendered.indexOf('\n', span.start) >>> 0));
    const tag = lineTags?.tags.get(renderedIndex.lineOf(span.start));
    const tagged = tag && info(tag.source);
    if (tag && tagged) return { path: tagged.file.path, span: spanOnLine(tagged.index, tag.line, value), located: true };
    const t = info(doc.source);
    if (!t) return { path: fallback.path, span: { start: 0, end: 0 }, located: false, note: `rendered from ${doc.source}, which is not a file in the chart` };
    let aligned = alignments.get(doc);
    const docFirstLine = renderedIndex.lineOf(doc.start);
    if (!aligned) {
      const docLines = rendered.slice(doc.start, doc.end).split(/\r\n|\r|\n/);
      const anchors = new Map<number, number>();
      for (let k = 0; k < docLines.length; k++) {
        const a = lineTags?.tags.get(docFirstLine + k);
        if (a?.source === doc.source) anchors.set(k, a.line);
      }
      aligned = bestAlignment(t, docLines, doc.indexInSource, anchors);
      alignments.set(doc, aligned);
    }
    const { alignment, from } = aligned;
    const match = alignment[renderedIndex.lineOf(span.start) - docFirstLine];
    if (!match) {
      return { path: t.file.path, span: documentStartSpan(t.index, from), located: false, note: 'the template line that produced it could not be located; shown at the document start' };
    }
    return { path: t.file.path, span: spanOnLine(t.index, match.line, value), located: true };
  };
  return {
    text: rendered,
    docs,
    map,
    files: () => [...new Set([...templates.values(), fallback])],
    label,
    tool: 'helm',
    root: fallback,
    withLineTags: (tags) => helmRenderedSet(rendered, templates, fallback, label, tags),
  };
}
