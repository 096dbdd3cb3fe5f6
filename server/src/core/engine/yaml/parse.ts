/**
 * Parses a (multi-document) YAML file into the RBAC objects it holds, with exact source spans.
 * Never throws: syntax errors and exceeded limits become `yaml-syntax` findings.
 */
import { dedupeFindings } from '../dedupe';
import { Composer, isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLError } from 'yaml';
import { RBAC_KINDS, type Finding, type RbacKind, type RbacObject, type Span } from '../model';
import { NodeConverter, ParseLimitError, type ConvertBudget } from './convert';
import { buildRbacObject } from './extract';
import { unknownRbacKind } from './kinds';
import { DEFAULT_MAX_DEPTH, guardedTokens, NestingLimitError, withoutStackTraces } from './tokens';
import { errorText } from '../text/errorText';

export interface ParseLimits {
  /** UTF-8 size of the text (default 5 MB). */
  maxBytes: number;
  /** YAML documents in the file (default 20,000). */
  maxDocuments: number;
  /** Alias dereferences per document (default 100). */
  maxAliasCount: number;
  /** Nodes produced by alias expansion per document (default 10,000). */
  maxAliasNodes: number;
  /** Collections open inside each other (default 500), refused while reading, before a tree is built. */
  maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = {
  maxBytes: 5 * 1024 * 1024,
  maxDocuments: 20_000,
  maxAliasCount: 100,
  maxAliasNodes: 10_000,
  maxDepth: DEFAULT_MAX_DEPTH,
};

export interface ParseResult {
  objects: RbacObject[];
  findings: Finding[];
  documentCount: number;
}

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function parseRbacFile(text: string, limits?: Partial<ParseLimits>): ParseResult {
  const lim: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...definedOnly(limits) };
  try {
    return withoutStackTraces(() => parse(text, lim));
  } catch (e) {
    // Defensive: the yaml package or a stack overflow on pathological input must not take the caller down.
    const detail = errorText(e);
    return { objects: [], findings: [startFinding(text, `The file could not be parsed: ${detail}`)], documentCount: 0 };
  }
}

function parse(text: string, lim: ParseLimits): ParseResult {
  const bytes = utf8LengthUpTo(text, lim.maxBytes);
  if (bytes > lim.maxBytes) {
    const msg = `The file is larger than ${formatBytes(lim.maxBytes)} (the limit for RBAC analysis); it was not analysed.`;
    return { objects: [], findings: [startFinding(text, msg)], documentCount: 0 };
  }

  const objects: RbacObject[] = [];
  const findings: Finding[] = [];
  // YAML 1.1 like kubectl's decoder (go-yaml): yes/no/on/off are booleans and `<<` merges.
  const composer = new Composer({ version: '1.1', prettyErrors: false });
  let documentIndex = 0;
  try {
    for (const doc of composer.compose(guardedTokens(text, lim.maxDepth), false, text.length)) {
      if (documentIndex >= lim.maxDocuments) {
        const msg = `The file has more than ${lim.maxDocuments} YAML documents (the limit for RBAC analysis); it was not analysed.`;
        return { objects: [], findings: [startFinding(text, msg)], documentCount: documentIndex + 1 };
      }
      parseDocument(text, doc as Document, documentIndex, lim, objects, findings);
      documentIndex++;
    }
  } catch (e) {
    if (!(e instanceof NestingLimitError)) throw e;
    // The documents before it are kept (the composer still holds the last complete one); nothing after was read.
    for (const doc of composer.end(false, text.length)) {
      if (documentIndex >= lim.maxDocuments) break;
      parseDocument(text, doc as Document, documentIndex, lim, objects, findings);
      documentIndex++;
    }
    const msg = `YAML nested deeper than ${e.maxDepth} levels here (the limit for RBAC analysis); the rest of the file was not analysed.`;
    findings.push({ ruleId: 'yaml-syntax', severity: 'error', message: msg, span: e.span, documentIndex });
    return { objects, findings: dedupeFindings(findings), documentCount: documentIndex + 1 };
  }
  // Errors outside any document (e.g. a stray directive at the end) only show up in the stream info.
  const info = composer.streamInfo();
  for (const e of info.errors) findings.push(yamlFinding(text, e, 'error', undefined));
  return { objects, findings: dedupeFindings(findings), documentCount: documentIndex };
}

function parseDocument(text: string, doc: Document, documentIndex: number, lim: ParseLimits, objects: RbacObject[], findings: Finding[]): void {
  for (const e of doc.errors) findings.push(yamlFinding(text, e, 'error', documentIndex));
  for (const w of doc.warnings) findings.push(yamlFinding(text, w, 'warning', documentIndex));
  const budget: ConvertBudget = { maxAliasCount: lim.maxAliasCount, maxAliasNodes: lim.maxAliasNodes, aliases: 0, aliasNodes: 0 };
  const conv = new NodeConverter(text, doc, budget);
  try {
    // All of a document's objects or none: a limit hit in a List's third item drops the first two as well.
    const found: RbacObject[] = [];
    collectObjects(doc, conv, documentIndex, found, findings);
    objects.push(...found);
  } catch (e) {
    if (!(e instanceof ParseLimitError)) throw e;
    findings.push({ ruleId: 'yaml-syntax', severity: 'error', message: e.message, span: e.span, documentIndex });
  }
}

/** RBAC objects of one document: the root object, or the items of a `kind: List` (or `RoleList` etc.). */
function collectObjects(doc: Document, conv: NodeConverter, documentIndex: number, objects: RbacObject[], findings: Finding[]): void {
  const root = doc.contents as Node | null;
  if (!isMap(root)) return;
  const kindNode = lookup(conv, root, 'kind');
  const kind = scalarString(kindNode);
  if (kind === undefined) return;
  const rbacKind = recognise(kind, scalarString(lookup(conv, root, 'apiVersion')));
  if (rbacKind) {
    objects.push(buildRbacObject(rbacKind, scalarString(lookup(conv, root, 'apiVersion')) ?? '', conv.convert(root), documentIndex));
    return;
  }
  const unknown = unknownRbacKind(kind, scalarString(lookup(conv, root, 'apiVersion')));
  if (unknown && kindNode?.range) {
    findings.push({ ruleId: 'schema', severity: 'error', message: unknown.message, span: { start: kindNode.range[0], end: kindNode.range[1] }, documentIndex, data: { replacement: unknown.replacement } });
    return;
  }
  if (!kind.endsWith('List')) return;
  const items = lookup(conv, root, 'items');
  if (!isSeq(items)) return;
  for (const item of items.items as Node[]) {
    if (!isMap(item)) continue;
    const itemKind = scalarString(lookup(conv, item, 'kind'));
    const apiVersion = scalarString(lookup(conv, item, 'apiVersion'));
    const k = itemKind === undefined ? undefined : recognise(itemKind, apiVersion);
    // Pointers (and thus schema paths) are relative to the item, which is the object kubectl sends.
    if (k) objects.push(buildRbacObject(k, apiVersion ?? '', conv.convert(item), documentIndex));
  }
}

/**
 * Is this an RBAC kind we analyse? Other groups may reuse the names (e.g. a CRD `kind: Role`), so the apiVersion must
 * be the RBAC group (any version: schema validation flags the removed v1beta1/v1alpha1) or missing (being typed).
 */
export function recognise(kind: string, apiVersion: string | undefined): RbacKind | undefined {
  if (!(RBAC_KINDS as readonly string[]).includes(kind)) return undefined;
  const k = kind as RbacKind;
  if (apiVersion === undefined) return k;
  if (k === 'ServiceAccount') return apiVersion === 'v1' ? k : undefined;
  return apiVersion === RBAC_GROUP || apiVersion.startsWith(`${RBAC_GROUP}/`) ? k : undefined;
}

/** Value node of `key` in a map (following an alias on the value), without converting the whole map. */
function lookup(conv: NodeConverter, map: Node, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  for (const pair of map.items as Pair[]) {
    if (isScalar(pair.key) && pair.key.value === key) {
      const v = pair.value as Node | null;
      if (isAlias(v)) return conv.target(v);
      return v ?? undefined;
    }
  }
  return undefined;
}

function scalarString(node: Node | undefined): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function yamlFinding(text: string, e: YAMLError, severity: 'error' | 'warning', documentIndex: number | undefined): Finding {
  const start = clamp(e.pos[0], 0, text.length);
  const end = clamp(Math.max(e.pos[1], e.pos[0]), start, text.length);
  const f: Finding = { ruleId: 'yaml-syntax', severity, message: `${e.message} (${e.code})`, span: { start, end } };
  if (documentIndex !== undefined) f.documentIndex = documentIndex;
  return f;
}

/** A finding about the whole file, placed on its first line. */
function startFinding(text: string, message: string): Finding {
  const nl = text.indexOf('\n');
  const end = Math.min(nl < 0 ? text.length : nl, 200);
  return { ruleId: 'yaml-syntax', severity: 'error', message, span: { start: 0, end: Math.max(0, end) } };
}

/** UTF-8 length of `text`, stopping early once it exceeds `limit`. */
export function utf8LengthUpTo(text: string, limit: number): number {
  if (text.length > limit) return text.length; // every UTF-16 unit is at least one byte
  let n = 0;
  for (let i = 0; i < text.length && n <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KB` : `${n} bytes`;
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}

function definedOnly(l: Partial<ParseLimits> | undefined): Partial<ParseLimits> {
  const out: Partial<ParseLimits> = {};
  if (!l) return out;
  for (const k of Object.keys(l) as (keyof ParseLimits)[]) {
    const v = l[k];
    if (typeof v === 'number' && !Number.isNaN(v)) out[k] = v;
  }
  return out;
}

export type { Span };
