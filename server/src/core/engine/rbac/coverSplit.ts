/**
 * Covers without enumerating atoms. Upstream's Covers (policy_comparator.go) breaks a servant rule into every
 * group x resource x verb x name and asks whether some owner rule covers each; that is the product of four lists.
 * Here a servant rule is a box (one value list per dimension) and each owner rule covers a sub-box of it, so the
 * missing part is the box minus a union of boxes. It is found by splitting one dimension at a time into classes of
 * values that the same owner rules cover (a bitset per value): a class no owner covers is a missing rectangle, a
 * class where one owner covers every remaining value is covered. The classes of a dimension are at most the owner
 * rules' distinct values in it plus two, so the work is bounded by what must be compared, never by the servant's
 * product. Verbs are split last, so each group x resource x name of a rule lies in exactly one missing rectangle
 * (with its missing verbs in the rule's order), which keeps the apiserver's message exact (missingLines.ts).
 */
import type { PolicyRule } from '../model';

type Bits = Uint32Array;

/** strings.TrimRight(s, "*"): drops every trailing star. */
function trimTrailingStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 42) end--;
  return s.slice(0, end);
}

/** An owner URL covers a requested one when equal, or when it ends in `*` and the request starts with its prefix. */
export function nonResourceURLCovers(ownerPath: string, subPath: string): boolean {
  if (ownerPath === subPath) return true;
  return ownerPath.endsWith('*') && subPath.startsWith(trimTrailingStars(ownerPath));
}

/** Owner rules as bitsets per value, cached per owner array (held rules are reused across edits). */
interface OwnerBits {
  words: number;
  all: Bits;
  verbAll: Bits;
  groupAll: Bits;
  resourceAll: Bits;
  noNames: Bits;
  byVerb: Map<string, Bits>;
  byGroup: Map<string, Bits>;
  byResource: Map<string, Bits>;
  byName: Map<string, Bits>;
  urls: { path: string; owner: number }[];
  /** Memo of a value's cover bits per dimension. */
  memo: Map<string, Bits>;
}

const cache = new WeakMap<readonly PolicyRule[], OwnerBits>();

function setBit(map: Map<string, Bits>, key: string, i: number, words: number): void {
  let b = map.get(key);
  if (!b) map.set(key, (b = new Uint32Array(words)));
  b[i >>> 5]! |= 1 << (i & 31);
}

function ownerBits(owner: readonly PolicyRule[]): OwnerBits {
  const cached = cache.get(owner);
  if (cached) return cached;
  const words = Math.max(1, Math.ceil(owner.length / 32));
  const mk = () => new Uint32Array(words);
  const o: OwnerBits = {
    words, all: mk(), verbAll: mk(), groupAll: mk(), resourceAll: mk(), noNames: mk(),
    byVerb: new Map(), byGroup: new Map(), byResource: new Map(), byName: new Map(), urls: [], memo: new Map(),
  };
  owner.forEach((rule, i) => {
    const bit = 1 << (i & 31);
    const w = i >>> 5;
    o.all[w]! |= bit;
    for (const v of rule.verbs ?? []) {
      if (v === '*') o.verbAll[w]! |= bit;
      else setBit(o.byVerb, v, i, words);
    }
    for (const g of rule.apiGroups ?? []) {
      if (g === '*') o.groupAll[w]! |= bit;
      else setBit(o.byGroup, g, i, words);
    }
    for (const r of rule.resources ?? []) {
      if (r === '*') o.resourceAll[w]! |= bit;
      else setBit(o.byResource, r, i, words);
    }
    if ((rule.resourceNames ?? []).length === 0) o.noNames[w]! |= bit;
    for (const n of rule.resourceNames ?? []) setBit(o.byName, n, i, words);
    for (const path of rule.nonResourceURLs ?? []) o.urls.push({ path, owner: i });
  });
  cache.set(owner, o);
  return o;
}

function or(into: Bits, b: Bits | undefined): void {
  if (b) for (let i = 0; i < into.length; i++) into[i]! |= b[i]!;
}

function and(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

function isZero(a: Bits): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

type Dim = 'verb' | 'group' | 'resource' | 'name' | 'unnamed' | 'url';

/** The owner rules that cover one value in one dimension, as the five conditions of upstream's ruleCovers say. */
function coverOf(o: OwnerBits, dim: Dim, value: string): Bits {
  const key = `${dim}\0${value}`;
  const memo = o.memo.get(key);
  if (memo) return memo;
  const b = new Uint32Array(o.words);
  if (dim === 'verb') {
    or(b, o.verbAll);
    if (value !== '*') or(b, o.byVerb.get(value));
  } else if (dim === 'group') {
    or(b, o.groupAll);
    if (value !== '*') or(b, o.byGroup.get(value));
  } else if (dim === 'resource') {
    or(b, o.resourceAll);
    if (value !== '*') or(b, o.byResource.get(value));
    // `*/sub` covers `anything/sub` (the rest after the first slash).
    const slash = value.indexOf('/');
    if (slash >= 0) or(b, o.byResource.get(`*/${value.slice(slash + 1)}`));
  } else if (dim === 'unnamed') {
    or(b, o.noNames);
  } else if (dim === 'name') {
    or(b, o.noNames);
    or(b, o.byName.get(value));
  } else {
    // An atom of a URL has no names: only owners without resourceNames cover it.
    for (const u of o.urls) if (nonResourceURLCovers(u.path, value)) b[u.owner >>> 5]! |= 1 << (u.owner & 31);
    for (let i = 0; i < b.length; i++) b[i]! &= o.noNames[i]!;
  }
  if (o.memo.size < 100_000) o.memo.set(key, b);
  return b;
}

interface Node {
  lists: string[][];
  owners: Bits;
  fixed: boolean[];
}

interface Split {
  dims: Dim[];
  o: OwnerBits;
  emit: (lists: string[][]) => void;
}

/** Values of one dimension grouped by the owners (among `owners`) that cover them, in first-seen order. */
function classes(s: Split, node: Node, d: number): { values: string[]; owners: Bits }[] {
  const byKey = new Map<string, { values: string[]; owners: Bits }>();
  for (const value of node.lists[d]!) {
    const owners = and(node.owners, coverOf(s.o, s.dims[d]!, value));
    const key = owners.join(',');
    const c = byKey.get(key);
    if (c) c.values.push(value);
    else byKey.set(key, { values: [value], owners });
  }
  return [...byKey.values()];
}

/** An owner that covers every value of every dimension not split yet covers the whole box. */
function oneOwnerCoversAll(s: Split, node: Node): boolean {
  let common = node.owners;
  node.lists.forEach((list, d) => {
    if (node.fixed[d]) return;
    for (const value of new Set(list)) {
      if (isZero(common)) return;
      common = and(common, coverOf(s.o, s.dims[d]!, value));
    }
  });
  return !isZero(common);
}

function split(s: Split, node: Node): void {
  for (;;) {
    if (isZero(node.owners)) return s.emit(node.lists);
    if (oneOwnerCoversAll(s, node)) return;
    const last = s.dims.length - 1;
    const open = node.fixed.map((f, d) => (f ? -1 : d)).filter((d) => d >= 0);
    // Verbs last: every other dimension is one class before verbs split, so a missing name x resource x group
    // carries all its missing verbs in one rectangle.
    const candidates = open.length > 1 ? open.filter((d) => d !== last) : open;
    let best: { d: number; cls: { values: string[]; owners: Bits }[] } | undefined;
    let narrowed = false;
    for (const d of candidates) {
      const cls = classes(s, node, d);
      if (cls.length === 1) {
        node = { lists: node.lists, owners: cls[0]!.owners, fixed: node.fixed.map((f, i) => f || i === d) };
        narrowed = true;
        break;
      }
      if (!best || cls.length < best.cls.length) best = { d, cls };
    }
    if (narrowed) continue;
    if (!best) return; // every dimension is one class and some owner remains: covered
    for (const c of best.cls) {
      const lists = node.lists.slice();
      lists[best.d] = c.values;
      split(s, { lists, owners: c.owners, fixed: node.fixed.map((f, i) => f || i === best.d) });
    }
    return;
  }
}

/**
 * The part of one servant rule no owner rule covers, as rectangles (rules whose every atom is missing), disjoint,
 * values in the servant's order (duplicates kept, as upstream's breakdown keeps them). Resource part first, then URLs.
 */
export function missingRects(owner: readonly PolicyRule[], rule: PolicyRule): PolicyRule[] {
  const o = ownerBits(owner);
  const out: PolicyRule[] = [];
  const verbs = rule.verbs ?? [];
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const names = rule.resourceNames ?? [];
  if (verbs.length && groups.length && resources.length) {
    const named = names.length > 0;
    split(
      {
        dims: ['group', 'resource', named ? 'name' : 'unnamed', 'verb'],
        o,
        emit: ([g, r, n, v]) =>
          out.push(named ? { apiGroups: [...g!], resources: [...r!], resourceNames: [...n!], verbs: [...v!] } : { apiGroups: [...g!], resources: [...r!], verbs: [...v!] }),
      },
      { lists: [groups, resources, named ? names : [''], verbs], owners: o.all, fixed: [false, false, false, false] },
    );
  }
  const urls = rule.nonResourceURLs ?? [];
  if (verbs.length && urls.length) {
    split(
      { dims: ['url', 'verb'], o, emit: ([u, v]) => out.push({ nonResourceURLs: [...u!], verbs: [...v!] }) },
      { lists: [urls, verbs], owners: o.all, fixed: [false, false] },
    );
  }
  return out;
}
