/**
 * The RBAC objects of a document the fast parser read: the same objects parseRbacFile's collectObjects builds from
 * the `yaml` package's nodes (the root object, or the items of a `kind: List`, with pointers relative to the item).
 */
import type { Finding, RbacObject, Span } from '../model';
import type { Converted } from './convert';
import { buildRbacObject } from './extract';
import { fastParseDocument } from './fastParse';
import { unknownRbacKind } from './kinds';
import { recognise, type ParseResult } from './parse';

/**
 * The ParseResult of the document in `text` from `from` to `to` (spans are offsets in `text`), or undefined when
 * the fast parser does not take it.
 */
export function fastParseRbacDocument(text: string, from = 0, to = text.length, documentIndex = 0): ParseResult | undefined {
  const doc = fastParseDocument(text, from, to);
  if (!doc) return undefined;
  const objects: RbacObject[] = [];
  const findings: Finding[] = [];
  if (doc.root) collect(doc.root, objects, findings, documentIndex);
  return { objects, findings, documentCount: 1 };
}

function collect(root: Converted, objects: RbacObject[], findings: Finding[], documentIndex: number): void {
  const v = record(root.value);
  if (!v || typeof v.kind !== 'string') return;
  const apiVersion = typeof v.apiVersion === 'string' ? v.apiVersion : undefined;
  const kind = recognise(v.kind, apiVersion);
  if (kind) {
    objects.push(buildRbacObject(kind, apiVersion ?? '', root, documentIndex));
    return;
  }
  const unknown = unknownRbacKind(v.kind, apiVersion);
  const span = root.pointerSpans.get('/kind');
  if (unknown && span) {
    findings.push({ ruleId: 'schema', severity: 'error', message: unknown.message, span, documentIndex, data: { replacement: unknown.replacement } });
    return;
  }
  if (!v.kind.endsWith('List') || !Array.isArray(v.items)) return;
  // One pass over the document's pointers, not one per item: a List's cost stays linear in its size.
  const pointerSpans = byItem(root.pointerSpans);
  const keySpans = byItem(root.keySpans);
  v.items.forEach((item, i) => {
    const it = record(item);
    if (!it || typeof it.kind !== 'string') return;
    const itemApiVersion = typeof it.apiVersion === 'string' ? it.apiVersion : undefined;
    const k = recognise(it.kind, itemApiVersion);
    const conv: Converted = { value: it, pointerSpans: pointerSpans.get(i) ?? new Map(), keySpans: keySpans.get(i) ?? new Map() };
    if (k) objects.push(buildRbacObject(k, itemApiVersion ?? '', conv, documentIndex));
  });
}

const ITEMS = '/items/';

/** The pointers below `/items/<i>`, by item index, relative to the item (in the order they were recorded). */
function byItem(m: Map<string, Span>): Map<number, Map<string, Span>> {
  const out = new Map<number, Map<string, Span>>();
  for (const [p, s] of m) {
    if (!p.startsWith(ITEMS)) continue;
    const slash = p.indexOf('/', ITEMS.length);
    const index = Number(slash < 0 ? p.slice(ITEMS.length) : p.slice(ITEMS.length, slash));
    let item = out.get(index);
    if (!item) out.set(index, (item = new Map()));
    item.set(slash < 0 ? '' : p.slice(slash), s);
  }
  return out;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
