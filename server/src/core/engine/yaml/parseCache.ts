/**
 * Incremental parsing for the language server: a file is cut into YAML documents (at `---`) and a large Role's
 * `rules:` block sequence into its items; each piece is parsed once and cached by its text, so an edit re-parses
 * only the pieces it touched. The result is the same ParseResult that parseRbacFile gives for the whole text (a
 * differential test holds it to that); whatever this cannot prove equivalent (anchors, aliases, merge keys, tags,
 * directives, syntax errors, odd layouts) is parsed whole by parseRbacFile.
 */
import { isSeq, type Document, type Node } from 'yaml';
import type { Finding, LocatedRule, RbacObject, RuleField, Span } from '../model';
import { NodeConverter, type Converted } from './convert';
import { locateRule } from './extract';
import { ComposedSpans } from './spanIndex';
import { fastParseRbacDocument } from './fastObjects';
import { composeDocuments } from './tokens';
import { DEFAULT_PARSE_LIMITS, parseRbacFile, utf8LengthUpTo, type ParseLimits, type ParseResult } from './parse';

/** Below this many rules a document is cheaper to parse whole than to cut up. */
const MIN_RULES_TO_SPLIT = 32;

/** Characters that may start an anchor, alias, tag, merge key or directive: the full parser handles those. */
const NEEDS_FULL_PARSE = /(^|[\s[{,:-])[&*!][^\s,\]}'"]|<<\s*:|^%|^\.\.\.(\s|$)|\t/m;

interface DocResult {
  objects: RbacObject[];
  findings: Finding[];
  /** Does this chunk hold a YAML document (for numbering and the document limit)? */
  isDocument: boolean;
  documentCount: number;
}

interface RuleItem {
  value: unknown;
  /** Spans relative to the item's first character, keyed below the item ('' is the item itself). */
  pointerSpans: Map<string, Span>;
  keySpans: Map<string, Span>;
  /** The rule as locateRule builds it, at index 0 with item-relative spans (undefined: not a mapping). */
  located: LocatedRule | undefined;
}

/**
 * Only the pieces of the latest parse are kept (the previous generation is dropped after each parse), so memory
 * follows the document's size, not the number of edits. With `incremental` false nothing is kept or cut into rule
 * items: that is the one-shot path (parseRbacText), where only the per-document fast parser pays off.
 */
export class ParseCache {
  constructor(private readonly incremental = true) {}

  private docs = new Map<string, DocResult>();
  private items = new Map<string, RuleItem>();
  private usedDocs = new Map<string, DocResult>();
  private usedItems = new Map<string, RuleItem>();

  parse(text: string, limits?: Partial<ParseLimits>): ParseResult {
    try {
      return this.parseText(text, limits);
    } finally {
      this.docs = this.usedDocs;
      this.items = this.usedItems;
      this.usedDocs = new Map();
      this.usedItems = new Map();
    }
  }

  private parseText(text: string, limits?: Partial<ParseLimits>): ParseResult {
    const lim: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...limits };
    if (utf8LengthUpTo(text, lim.maxBytes) > lim.maxBytes || /^%/m.test(text) || /^\.\.\.(\s|$)/m.test(text)) {
      return parseRbacFile(text, limits);
    }
    const objects: RbacObject[] = [];
    const findings: Finding[] = [];
    let documentIndex = 0;
    for (const chunk of splitDocuments(text)) {
      if (!this.incremental && documentIndex < lim.maxDocuments && isDocumentChunk(chunk.text)) {
        // One-shot: parsed in place, so the spans need no shifting.
        const end = chunk.offset + chunk.text.length;
        const fast = fastParseRbacDocument(text, chunk.offset, end, documentIndex);
        if (fast) {
          for (const o of fast.objects) objects.push(o);
          for (const f of fast.findings) findings.push(f);
          documentIndex++;
          continue;
        }
      }
      const r = (this.incremental ? this.docs.get(chunk.text) : undefined) ?? this.parseDocument(chunk.text, limits);
      if (this.incremental) this.usedDocs.set(chunk.text, r);
      if (!r.isDocument) continue;
      // Error positions near a chunk's end can differ from the whole stream's: let the full parser report them.
      if (r.findings.length) {
        // A one-document file's result is the whole file's parse already (the parsers agree, by a differential test).
        if (chunk.offset === 0 && chunk.text.length === text.length) return { objects: r.objects, findings: r.findings, documentCount: r.documentCount };
        return parseRbacFile(text, limits);
      }
      if (documentIndex >= lim.maxDocuments) return parseRbacFile(text, limits);
      for (const o of r.objects) objects.push(shiftObject(o, chunk.offset, documentIndex));
      for (const f of r.findings) findings.push(shiftFinding(f, chunk.offset, documentIndex));
      documentIndex++;
    }
    return { objects, findings, documentCount: documentIndex };
  }

  clear(): void {
    this.docs = new Map();
    this.items = new Map();
  }

  private parseDocument(chunk: string, limits: Partial<ParseLimits> | undefined): DocResult {
    // A one-shot parse has tried the fast parser in place already: only the full parser is left.
    const r = this.incremental ? this.parseCutUp(chunk, limits) : parseRbacFile(chunk, limits);
    return { objects: r.objects, findings: r.findings, isDocument: isDocumentChunk(chunk), documentCount: r.documentCount };
  }

  /** A large Role from its cached rule items, else the fast parser, else the full one. */
  private parseCutUp(chunk: string, limits: Partial<ParseLimits> | undefined): ParseResult {
    const split = NEEDS_FULL_PARSE.test(chunk) ? undefined : splitRules(chunk);
    const assembled = split && split.items.length >= MIN_RULES_TO_SPLIT ? this.assemble(chunk, split, limits) : undefined;
    return assembled ?? fastParseRbacDocument(chunk) ?? parseRbacFile(chunk, limits);
  }

  /**
   * The Role built from a skeleton (the document with its rule items cut out) and the cached items. Pointer maps
   * are composed rather than copied, so the cost of an edit does not grow with the number of unchanged rules.
   */
  private assemble(chunk: string, split: RulesSplit, limits: Partial<ParseLimits> | undefined): ParseResult | undefined {
    const cut = split.end - split.start;
    const skeleton = parseRbacFile(chunk.slice(0, split.start) + chunk.slice(split.end), limits);
    const parsedBase = skeleton.objects[0];
    if (skeleton.findings.length || skeleton.objects.length !== 1 || !parsedBase || (parsedBase.kind !== 'Role' && parsedBase.kind !== 'ClusterRole')) return undefined;
    // What followed the rules in the document moves back to where it is in the real text.
    const base = mapObjectSpans(parsedBase, (sp) => ({ start: sp.start >= split.start ? sp.start + cut : sp.start, end: sp.end > split.start ? sp.end + cut : sp.end }), 0);
    const items: RuleItem[] = [];
    for (const it of split.items) {
      const parsed = this.item(chunk.slice(it.start, it.end));
      if (!parsed) return undefined;
      items.push(parsed);
    }
    const rulesSpan = { start: split.items[0]!.start + split.indent, end: trimEnd(chunk, split.items[split.items.length - 1]!.end) };
    // The cut items may have been the end of the object: the root spans them again.
    const rootSpan = { start: base.span.start, end: Math.max(base.span.end, rulesSpan.end) };
    const offsets = split.items.map((it) => it.start);
    const pointerSpans = new ComposedSpans(base.pointerSpans, items.map((it, i) => ({ spans: it.pointerSpans, offset: offsets[i]! })), new Map([['', rootSpan], ['/rules', rulesSpan]]));
    const keySpans = new ComposedSpans(base.keySpans ?? new Map(), items.map((it, i) => ({ spans: it.keySpans, offset: offsets[i]! })), new Map());
    const rules = items.flatMap((it, i) => (it.located ? [relocateRule(it.located, i, offsets[i]!)] : []));
    const obj: RbacObject = { ...base, value: { ...(base.value as Record<string, unknown>), rules: items.map((it) => it.value) }, span: rootSpan, rules, pointerSpans, keySpans };
    return { objects: [obj], findings: [], documentCount: 1 };
  }

  /** One rule item (`- apiGroups: ...` lines), parsed alone; spans relative to its first character. */
  private item(text: string): RuleItem | undefined {
    const hit = this.items.get(text) ?? this.usedItems.get(text);
    if (hit) {
      this.usedItems.set(text, hit);
      return hit;
    }
    let docs: Document[];
    try {
      docs = composeDocuments(text);
    } catch {
      return undefined; // nested too deep: the full parser reports it
    }
    const doc = docs[0];
    if (docs.length !== 1 || !doc || doc.errors.length || doc.warnings.length) return undefined;
    const root = doc.contents as Node | null;
    if (!isSeq(root) || root.items.length !== 1) return undefined;
    let conv: Converted;
    try {
      // A zero alias budget: an alias the prefilter missed throws here and the document is parsed whole.
      conv = new NodeConverter(text, doc, { maxAliasCount: 0, maxAliasNodes: 0, aliases: 0, aliasNodes: 0 }).convert(root);
    } catch {
      return undefined;
    }
    const under = (entries: Map<string, Span>, prefix: string) =>
      new Map([...entries].filter(([p]) => p.startsWith('/0')).map(([p, sp]) => [prefix + p.slice(2), sp] as [string, Span]));
    const value = (conv.value as unknown[])[0];
    const pointerSpans = under(conv.pointerSpans, '');
    const keySpans = under(conv.keySpans, '');
    // locateRule reads pointers as /rules/<index>/...: give it this item as rule 0.
    const asRule0: Converted = { value: { rules: [value] }, pointerSpans: under(conv.pointerSpans, '/rules/0'), keySpans: under(conv.keySpans, '/rules/0') };
    const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    const itemSpan = pointerSpans.get('') ?? { start: 0, end: 0 };
    const located = record ? locateRule(record, 0, asRule0, (ptr) => asRule0.pointerSpans.get(ptr) ?? itemSpan) : undefined;
    const item: RuleItem = { value, pointerSpans, keySpans, located };
    this.usedItems.set(text, item);
    return item;
  }
}

/**
 * parseRbacFile's result, computed document by document with the fast parser where it applies: what the CLI and
 * every one-shot analysis use.
 */
export function parseRbacText(text: string, limits?: Partial<ParseLimits>): ParseResult {
  return new ParseCache(false).parse(text, limits);
}

/** Does this chunk hold a YAML document (for numbering and the document limit), not only comments? */
function isDocumentChunk(chunk: string): boolean {
  return /^---/.test(chunk) || /^[ \t]*[^\s#]/m.test(chunk);
}

interface Chunk {
  text: string;
  offset: number;
}

/** Cuts a YAML stream at document start markers (`---` at the start of a line). */
export function splitDocuments(text: string): Chunk[] {
  const starts = [0];
  const re = /^---(?=[ \t\r\n]|$)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) if (m.index > 0) starts.push(m.index);
  return starts.map((start, i) => ({ text: text.slice(start, starts[i + 1] ?? text.length), offset: start })).filter((c) => c.text.length > 0);
}

interface RulesSplit {
  /** Offsets of the item region (from the first item line to the end of the last item). */
  start: number;
  end: number;
  indent: number;
  items: { start: number; end: number }[];
}

/**
 * Finds a top-level `rules:` block sequence and its items, by lines. Returns undefined for any layout it does not
 * handle (flow style, `-` alone on a line, a second `rules:` key), leaving the document to the full parser.
 */
export function splitRules(chunk: string): RulesSplit | undefined {
  const header = /^rules:[ ]*(#.*)?(\r?\n|$)/gm;
  const m = header.exec(chunk);
  if (!m || header.exec(chunk)) return undefined;
  const lines = lineStarts(chunk, m.index + m[0].length);
  const items: { start: number; end: number }[] = [];
  let indent = -1;
  let end = m.index + m[0].length;
  for (const ls of lines) {
    const lineEnd = nextLineStart(chunk, ls);
    const line = chunk.slice(ls, lineEnd);
    const content = /^( *)(\S)/.exec(line);
    if (!content) continue;
    const col = content[1]!.length;
    if (content[2] === '#') {
      // The parser counts a comment indented like the items as part of the sequence.
      if (indent >= 0 && col >= indent) end = lineEnd;
      continue;
    }
    if (indent < 0) {
      if (!/^ *- \S/.test(line)) return undefined;
      indent = col;
    }
    if (col < indent || (col === indent && !/^ *- \S/.test(line))) break;
    if (col === indent) {
      if (/^ *-\s*$/.test(line)) return undefined;
      items.push({ start: ls, end: lineEnd });
    } else if (items.length) items[items.length - 1]!.end = lineEnd;
    end = lineEnd;
  }
  // Comment and blank lines between items belong to the item before them.
  for (let i = 0; i + 1 < items.length; i++) items[i]!.end = items[i + 1]!.start;
  if (!items.length) return undefined;
  items[items.length - 1]!.end = end;
  return { start: items[0]!.start, end, indent, items };
}

function* lineStarts(text: string, from: number): Generator<number> {
  for (let i = from; i < text.length; i = nextLineStart(text, i)) yield i;
}

function nextLineStart(text: string, from: number): number {
  const n = text.indexOf('\n', from);
  return n < 0 ? text.length : n + 1;
}

function trimEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && /\s/.test(text[e - 1]!)) e--;
  return e;
}

function shiftSpan(s: Span, by: number): Span {
  return by === 0 ? s : { start: s.start + by, end: s.end + by };
}

function shiftFinding(f: Finding, by: number, documentIndex: number): Finding {
  return { ...f, span: shiftSpan(f.span, by), ...(f.documentIndex !== undefined ? { documentIndex } : {}) };
}

/** A copy of the object with every span moved by `by` (objects are cached relative to their document). */
function shiftObject(o: RbacObject, by: number, documentIndex: number): RbacObject {
  if (by === 0 && o.documentIndex === documentIndex) return o;
  return mapObjectSpans(o, (x) => shiftSpan(x, by), documentIndex, by);
}

/** A copy of the object with `f` applied to every span; `by` (a plain shift) lets composed maps stay lazy. */
function mapObjectSpans(o: RbacObject, f: (s: Span) => Span, documentIndex: number, by?: number): RbacObject {
  const maps = (m: ReadonlyMap<string, Span>) =>
    by !== undefined && m instanceof ComposedSpans ? m.shifted(by) : new Map([...m].map(([k, x]) => [k, f(x)] as [string, Span]));
  const out: RbacObject = {
    ...o,
    span: f(o.span),
    kindSpan: f(o.kindSpan),
    nameSpan: f(o.nameSpan),
    documentIndex,
    pointerSpans: maps(o.pointerSpans),
    rules: o.rules.map((r) => mapRule(r, f, r.index)),
    subjects: o.subjects.map((x) => ({ ...x, span: f(x.span), fieldSpans: mapRecord(x.fieldSpans, f) })),
  };
  if (o.keySpans) out.keySpans = maps(o.keySpans);
  if (o.rulesKeySpan) out.rulesKeySpan = f(o.rulesKeySpan);
  if (o.aggregationRule) out.aggregationRule = { ...o.aggregationRule, span: f(o.aggregationRule.span) };
  if (o.roleRef) out.roleRef = { ...o.roleRef, span: f(o.roleRef.span), fieldSpans: mapRecord(o.roleRef.fieldSpans, f) };
  return out;
}

function mapRule(r: LocatedRule, f: (s: Span) => Span, index: number): LocatedRule {
  const fields: LocatedRule['fields'] = {};
  for (const k of Object.keys(r.fields) as RuleField[]) {
    const l = r.fields[k]!;
    fields[k] = { span: f(l.span), keySpan: f(l.keySpan), items: l.items.map(f) };
  }
  return { index, rule: r.rule, span: f(r.span), fields };
}

/** A cached item-relative rule placed as rule `index` at `offset`. */
function relocateRule(r: LocatedRule, index: number, offset: number): LocatedRule {
  return mapRule(r, (x) => shiftSpan(x, offset), index);
}

function mapRecord<K extends string>(r: Partial<Record<K, Span>>, f: (s: Span) => Span): Partial<Record<K, Span>> {
  const out: Partial<Record<K, Span>> = {};
  for (const k of Object.keys(r) as K[]) out[k] = f(r[k]!);
  return out;
}
