/**
 * `kustomize build` output back to the files it came from (pure). The build runs with
 * `buildMetadata: [originAnnotations, transformerAnnotations]`, so every object says which resource file it came from
 * (`config.kubernetes.io/origin`) and which kustomizations transformed it. kustomize rewrites the YAML (block lists,
 * its own key order), so lines are found by value, not by alignment: an item is looked up under the same key in the
 * resource file, then in the patches of the kustomizations that transformed the object (the patch that added a rule),
 * then anywhere in the resource file.
 */
import { parseAllDocuments } from 'yaml';
import type { Span } from '../../engine/model';
import { LineIndex } from '../../engine/text/lineIndex';
import { docAt, documentStartSpan, type MappedSpan, type RenderedDoc, type RenderedSet, type SourceText } from './sourceMap';

const ORIGIN = 'config.kubernetes.io/origin';
const TRANSFORMATIONS = 'alpha.config.kubernetes.io/transformations';

/** One rendered object: its origin resource path and the kustomization files that transformed it (as kustomize wrote them). */
export interface KustomizeDoc extends RenderedDoc {
  kustomizations: string[];
}

export function splitKustomizeOutput(rendered: string): KustomizeDoc[] {
  const out: KustomizeDoc[] = [];
  const seps = [...rendered.matchAll(/^---[ \t]*$/gm)].map((m) => m.index);
  const bounds = [0, ...seps, rendered.length];
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i]!;
    const end = bounds[i + 1]!;
    let source = '';
    let kustomizations: string[] = [];
    try {
      const doc = parseAllDocuments(rendered.slice(start, end));
      const first = Array.isArray(doc) ? doc[0] : doc;
      const v = first?.toJS({ maxAliasCount: 0 }) as { metadata?: { annotations?: Record<string, unknown> } } | null;
      const ann = v?.metadata?.annotations ?? {};
      const origin = typeof ann[ORIGIN] === 'string' ? /^path:\s*(.+)$/m.exec(ann[ORIGIN] as string) : null;
      source = origin ? origin[1]!.trim().replace(/^["']|["']$/g, '') : '';
      if (typeof ann[TRANSFORMATIONS] === 'string') {
        kustomizations = [...new Set([...(ann[TRANSFORMATIONS] as string).matchAll(/configuredIn:\s*(.+)$/gm)].map((m) => m[1]!.trim()))];
      }
    } catch {
      // not YAML we can read: no origin, the finding goes to the kustomization
    }
    const n = counts.get(source) ?? 0;
    counts.set(source, n + 1);
    out.push({ start, end, source, indexInSource: n, kustomizations });
  }
  return out;
}

/** The files the mapping may read, by the path kustomize wrote: resource files, and per kustomization its patch files. */
export interface KustomizeSources {
  resources: Map<string, SourceText>;
  patches: Map<string, SourceText[]>;
  /** The overlay's kustomization file: where findings go when nothing else is known. */
  root: SourceText;
}

/** The value of the item at `offset` and the nearest key above it (`resources` for `  - secrets`). */
export function valueAndKey(rendered: string, span: Span): { value: string; key: string | undefined } {
  const lineStart = rendered.lastIndexOf('\n', span.start - 1) + 1;
  const lineEnd = rendered.indexOf('\n', span.start);
  const value = unquote(rendered.slice(span.start, Math.min(span.end, lineEnd < 0 ? rendered.length : lineEnd)));
  const line = rendered.slice(lineStart, lineEnd < 0 ? rendered.length : lineEnd);
  const own = /^\s*(?:-\s+)?([\w./-]+):/.exec(line);
  if (own && !line.trimStart().startsWith('-')) return { value, key: own[1] };
  // A list item: the key is on the closest line above with less indentation.
  const indent = line.length - line.trimStart().length;
  let end = lineStart - 1;
  while (end > 0) {
    const s = rendered.lastIndexOf('\n', end - 1) + 1;
    const l = rendered.slice(s, end);
    const i = l.length - l.trimStart().length;
    const k = /^\s*(?:-\s+)?([\w./-]+):/.exec(l);
    if (k && (i < indent || (i === indent && !l.trimStart().startsWith('-')))) return { value, key: k[1] };
    end = s - 1;
  }
  return { value, key: undefined };
}

function unquote(v: string): string {
  const t = v.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/** Lines of `text` holding `value` as a whole token; scored 2 when `key` is on the line or within the 4 lines above. */
export function findValue(text: string, value: string, key: string | undefined): { span: Span; score: number }[] {
  if (value === '') return [];
  const out: { span: Span; score: number }[] = [];
  const lines = text.split('\n');
  let offset = 0;
  const token = new RegExp(`(^|[\\s"'\\[,:-])(${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?=$|[\\s"'\\],#])`);
  lines.forEach((line, i) => {
    const m = token.exec(line);
    if (m && !line.trimStart().startsWith('#')) {
      const start = offset + m.index + m[1]!.length;
      const near = key ? lines.slice(Math.max(0, i - 4), i + 1).some((l) => new RegExp(`(^|[\\s{,-])${key}\\s*:`).test(l)) : false;
      out.push({ span: { start, end: start + value.length }, score: near ? 2 : 1 });
    }
    offset += line.length + 1;
  });
  return out;
}

export function kustomizeRenderedSet(rendered: string, sources: KustomizeSources, label: string): RenderedSet {
  const docs = splitKustomizeOutput(rendered);
  const rootNote = 'the resource file it came from is not known; shown at the kustomization';
  const map = (span: Span): MappedSpan | undefined => {
    const doc = docAt(docs, span.start) as KustomizeDoc | undefined;
    if (!doc) return undefined;
    const resource = sources.resources.get(doc.source);
    if (!resource) return { path: sources.root.path, span: documentStartSpan(new LineIndex(sources.root.text), 0), located: false, note: rootNote };
    const fromPatch = patchOfNode(rendered, span, doc, sources);
    if (fromPatch) return fromPatch;
    const { value, key } = valueAndKey(rendered, span);
    const inResource = findValue(resource.text, value, key);
    const strong = inResource.find((c) => c.score === 2);
    if (strong) return { path: resource.path, span: strong.span, located: true };
    for (const k of doc.kustomizations) {
      for (const patch of sources.patches.get(k) ?? []) {
        const hits = findValue(patch.text, value, key);
        const best = hits.find((c) => c.score === 2) ?? hits[0];
        if (best) return { path: patch.path, span: best.span, located: true, note: 'added by this patch' };
      }
    }
    if (inResource[0]) return { path: resource.path, span: inResource[0].span, located: true };
    return {
      path: resource.path,
      span: documentStartSpan(new LineIndex(resource.text), 0),
      located: false,
      note: 'the line that produced it could not be located; shown at the start of the resource file',
    };
  };
  const files = () => [sources.root, ...sources.resources.values(), ...[...sources.patches.values()].flat()];
  return { text: rendered, docs, map, files: () => [...new Set(files())], label, tool: 'kustomize', root: sources.root };
}

/**
 * A finding on a whole node (a rule item: `- apiGroups: ...` down to its verbs) belongs to the patch that wrote it when
 * every value of the node is found in that patch under its own key (the node's first line is only its first key, and
 * a value such as "get" alone is in many places).
 */
function patchOfNode(rendered: string, span: Span, doc: KustomizeDoc, sources: KustomizeSources): MappedSpan | undefined {
  const end = Math.min(span.end, rendered.length);
  const firstLineEnd = rendered.indexOf('\n', span.start);
  if (firstLineEnd < 0 || firstLineEnd >= end - 1) return undefined;
  const patches = doc.kustomizations.flatMap((k) => sources.patches.get(k) ?? []);
  const leaves: { value: string; key: string | undefined }[] = [];
  for (let at = span.start; at < end && leaves.length <= 64; ) {
    const lineEnd = rendered.indexOf('\n', at) >>> 0;
    const line = rendered.slice(at, Math.min(lineEnd, end));
    const lead = /^\s*(?:-\s+)?(?:[\w./-]+:\s*)?/.exec(line)![0].length;
    const leaf = lead < line.length ? valueAndKey(rendered, { start: at + lead, end: Math.min(lineEnd, end) }) : undefined;
    // An empty value ("" for the core group) is found nowhere as a token: it neither confirms nor denies.
    if (leaf && leaf.value !== '') leaves.push(leaf);
    at = lineEnd + 1;
  }
  for (const patch of patches) {
    const hits = leaves.map((l) => findValue(patch.text, l.value, l.key).find((c) => c.score === 2));
    if (leaves.length && hits.every(Boolean)) return { path: patch.path, span: hits[0]!.span, located: true, note: 'added by this patch' };
  }
  return undefined;
}
