/**
 * Turns a composed `yaml` node into the plain JS value Kubernetes would decode, recording the source span of every
 * node by JSON pointer on the way. Aliases and YAML 1.1 merge keys (`<<`) are expanded like kubectl's YAML decoder
 * does, under a budget so that alias bombs and recursive anchors end in a ParseLimitError instead of a hang.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar } from 'yaml';
import type { Span } from '../model';

export class ParseLimitError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

export interface ConvertBudget {
  /** Alias dereferences allowed in one document. */
  maxAliasCount: number;
  /** Nodes that may be produced by expanding aliases in one document. */
  maxAliasNodes: number;
  aliases: number;
  aliasNodes: number;
}

export interface Converted {
  value: unknown;
  /** Value node span by JSON pointer relative to the converted node ("" is the node itself). */
  pointerSpans: Map<string, Span>;
  /** Key node span by the JSON pointer of the entry's value. */
  keySpans: Map<string, Span>;
}

/** Nesting deeper than this is not Kubernetes YAML; stop before the JS stack does. */
const MAX_DEPTH = 500;

interface AnchorEntry {
  offset: number;
  node: Node;
}

export function escapePointerToken(token: string): string {
  // Most keys need no escaping; the check is much cheaper than two replaces.
  if (token.indexOf('~') < 0 && token.indexOf('/') < 0) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export class NodeConverter {
  private anchors: Map<string, AnchorEntry[]> | undefined;
  private readonly expanding = new Set<Node>();

  constructor(
    private readonly text: string,
    private readonly doc: Document,
    private readonly budget: ConvertBudget,
  ) {}

  /** Converts `node`; throws ParseLimitError when the alias budget or nesting limit is exceeded. */
  convert(node: Node): Converted {
    const out: Converted = { value: undefined, pointerSpans: new Map(), keySpans: new Map() };
    out.value = this.walk(node, '', out, undefined, 0);
    return out;
  }

  /** The source span of a node, trimmed of the trailing line breaks the yaml package includes in block collections. */
  spanOf(node: Node | null | undefined): Span | undefined {
    const r = node?.range;
    if (!r) return undefined;
    let end = Math.max(r[0], Math.min(r[1], this.text.length));
    while (end > r[0] && isSpace(this.text.charCodeAt(end - 1))) end--;
    return { start: Math.min(r[0], this.text.length), end };
  }

  private walk(node: unknown, ptr: string, out: Converted, viaAlias: Span | undefined, depth: number, fallback?: Span): unknown {
    // A value written as nothing (`key:`) has no node range: it sits right after its key.
    const span = viaAlias ?? this.spanOf(node as Node) ?? fallback ?? { start: 0, end: 0 };
    if (depth > MAX_DEPTH) throw new ParseLimitError(`YAML nested deeper than ${MAX_DEPTH} levels; the document was not analysed.`, span);
    if (viaAlias && ++this.budget.aliasNodes > this.budget.maxAliasNodes) {
      throw new ParseLimitError(
        `Aliases expand to more than ${this.budget.maxAliasNodes} nodes (a possible alias bomb); the document was not analysed.`,
        viaAlias,
      );
    }
    out.pointerSpans.set(ptr, span);
    if (node === null || node === undefined) return null;
    if (isScalar(node)) return scalarValue(node);
    if (isAlias(node)) {
      const aliasSpan = viaAlias ?? span;
      if (++this.budget.aliases > this.budget.maxAliasCount) {
        throw new ParseLimitError(
          `More than ${this.budget.maxAliasCount} alias expansions in one document (a possible alias bomb); the document was not analysed.`,
          aliasSpan,
        );
      }
      const target = this.resolveAlias(node.source, node.range?.[0] ?? 0);
      if (!target) return null; // the yaml package already reports the unknown anchor
      if (this.expanding.has(target)) {
        throw new ParseLimitError(`Alias *${node.source} refers to itself; recursive YAML cannot be sent to Kubernetes.`, aliasSpan);
      }
      this.expanding.add(target);
      try {
        return this.walk(target, ptr, out, aliasSpan, depth + 1);
      } finally {
        this.expanding.delete(target);
      }
    }
    if (isSeq(node)) {
      const arr: unknown[] = [];
      node.items.forEach((item, i) => {
        arr.push(this.walk(item, `${ptr}/${i}`, out, viaAlias, depth + 1));
      });
      return arr;
    }
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      const merges: Pair[] = [];
      for (const pair of node.items as Pair[]) {
        if (isMergeKey(pair.key)) {
          merges.push(pair);
          continue;
        }
        const key = this.keyString(pair.key);
        const childPtr = `${ptr}/${escapePointerToken(key)}`;
        const keySpan = viaAlias ?? this.spanOf(pair.key as Node) ?? span;
        out.keySpans.set(childPtr, keySpan);
        setOwn(obj, key, this.walk(pair.value, childPtr, out, viaAlias, depth + 1, { start: keySpan.end, end: keySpan.end }));
      }
      for (const pair of merges) this.merge(obj, pair.value, ptr, out, viaAlias ?? this.spanOf(pair.value as Node) ?? span, depth);
      return obj;
    }
    return null;
  }

  /** YAML 1.1 merge: keys already present win; among sources, earlier ones win (https://yaml.org/type/merge.html). */
  private merge(obj: Record<string, unknown>, source: unknown, ptr: string, out: Converted, span: Span, depth: number): void {
    const sources = isSeq(source) ? source.items : [source];
    for (const s of sources) {
      // Converted into scratch maps: every merged node is reported at the `<<` value.
      const scratch: Converted = { value: undefined, pointerSpans: new Map(), keySpans: new Map() };
      const value = this.walk(s, '', scratch, span, depth + 1);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ParseLimitError('Merge key (<<) sources must be mappings or aliases of mappings.', span);
      }
      for (const [k, v] of Object.entries(value)) {
        if (Object.prototype.hasOwnProperty.call(obj, k)) continue;
        setOwn(obj, k, v);
        const childPtr = `${ptr}/${escapePointerToken(k)}`;
        out.keySpans.set(childPtr, span);
        markSubtree(out, childPtr, v, span);
      }
    }
  }

  private keyString(key: unknown): string {
    if (key === null || key === undefined) return '';
    if (isScalar(key)) {
      const v = key.value;
      if (v === null) return 'null';
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
      return key.source ?? '';
    }
    const span = this.spanOf(key as Node);
    return span ? this.text.slice(span.start, span.end) : '';
  }

  /** The node an alias node refers to (no expansion, no budget: for peeking at `kind`). */
  target(alias: Node): Node | undefined {
    return isAlias(alias) ? this.resolveAlias(alias.source, alias.range?.[0] ?? 0) : undefined;
  }

  /** The last node anchored as `name` before `offset` (YAML aliases only look backwards). */
  private resolveAlias(name: string, offset: number): Node | undefined {
    if (!this.anchors) this.anchors = collectAnchors(this.doc);
    const list = this.anchors.get(name);
    if (!list) return undefined;
    let found: Node | undefined;
    for (const e of list) {
      if (e.offset < offset) found = e.node;
      else break;
    }
    return found;
  }
}

function collectAnchors(doc: Document): Map<string, AnchorEntry[]> {
  const anchors = new Map<string, AnchorEntry[]>();
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (isScalar(n) || isMap(n) || isSeq(n)) {
      if (n.anchor) {
        const list = anchors.get(n.anchor) ?? [];
        list.push({ offset: n.range?.[0] ?? 0, node: n });
        anchors.set(n.anchor, list);
      }
      if (isMap(n)) for (const p of n.items as Pair[]) stack.push(p.key, p.value);
      else if (isSeq(n)) stack.push(...n.items);
    }
  }
  for (const list of anchors.values()) list.sort((a, b) => a.offset - b.offset);
  return anchors;
}

/** Records `span` for a merged value and everything inside it. */
function markSubtree(out: Converted, childPtr: string, v: unknown, span: Span): void {
  out.pointerSpans.set(childPtr, span);
  if (Array.isArray(v)) v.forEach((x, i) => markSubtree(out, `${childPtr}/${i}`, x, span));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = `${childPtr}/${escapePointerToken(k)}`;
      out.keySpans.set(p, span);
      markSubtree(out, p, x, span);
    }
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

/** Scalars as JSON would carry them: timestamps, binary and other exotic tags keep their source text. */
function scalarValue(s: Scalar): unknown {
  const v = s.value;
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return s.source ?? '';
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // A "__proto__" key must be data, as in JSON.parse; defineProperty is slow, so only for that key.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
