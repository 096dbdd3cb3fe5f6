/**
 * The lines of the apiserver's escalation error (ConfirmNoEscalation: CompactRules, CompactString, a sorted set) for
 * missing rules, without breaking them into atoms. Upstream compacts the atoms of one group x resource x name (the
 * "simple" rules) into one line whose verbs are every missing verb of that key in breakdown order; URL atoms stay one
 * line per URL x verb. The result is the sorted, de-duplicated set of lines. Here the lines are enumerated in that
 * order straight from the rules (which may overlap), only as many as are shown, and the rest are counted as a union
 * of boxes, so the cost is bounded by the rules' sizes and the lines shown, never by their product.
 */
import type { PolicyRule } from '../model';
import { compareCodePoints, goQuote, goQuoteList } from './goFormat';

/** The verbs of one line beyond this many are counted, not listed (a line of one key can hold a product of lists). */
const MAX_LINE_VERBS = 50;

export interface MissingLines {
  /** The first lines of the apiserver's message, in its order. */
  lines: string[];
  /** How many lines the apiserver's message has in all. */
  total: number;
}

interface Box {
  rule: PolicyRule;
  /** Distinct values per dimension. */
  sets: Set<string>[];
}

/** Key of the name dimension: '' for an unnamed rule, `=name` for a name. */
const UNNAMED = '';
const nameKey = (n: string) => `=${n}`;

function resourceBoxes(rules: readonly PolicyRule[]): Box[] {
  return rules
    .filter((r) => r.verbs?.length && r.apiGroups?.length && r.resources?.length)
    .map((rule) => ({
      rule,
      sets: [new Set(rule.apiGroups), new Set(rule.resources), new Set(rule.resourceNames?.length ? rule.resourceNames.map(nameKey) : [UNNAMED])],
    }));
}

function urlBoxes(rules: readonly PolicyRule[]): Box[] {
  return rules.filter((r) => r.verbs?.length && r.nonResourceURLs?.length).map((rule) => ({ rule, sets: [new Set(rule.nonResourceURLs), new Set(rule.verbs)] }));
}

/**
 * |union of the boxes `ids`| over dimensions d.. : split dimension d into classes of values in the same boxes and add
 * class size x the union of those boxes over the remaining dimensions (memoised: ids index `all`).
 */
function unionSize(all: readonly Box[], ids: readonly number[], d: number, memo: Map<string, number>): number {
  if (ids.length === 0) return 0;
  if (d === all[ids[0]!]!.sets.length - 1) {
    const values = new Set<string>();
    for (const i of ids) for (const v of all[i]!.sets[d]!) values.add(v);
    return values.size;
  }
  const inBoxes = new Map<string, number[]>();
  for (const i of ids) {
    for (const v of all[i]!.sets[d]!) {
      const l = inBoxes.get(v);
      if (l) l.push(i);
      else inBoxes.set(v, [i]);
    }
  }
  const classSize = new Map<string, { sub: number[]; n: number }>();
  for (const sub of inBoxes.values()) {
    const key = sub.join(',');
    const c = classSize.get(key);
    if (c) c.n++;
    else classSize.set(key, { sub, n: 1 });
  }
  let total = 0;
  for (const [key, { sub, n }] of classSize) {
    const memoKey = `${d}:${key}`;
    let size = memo.get(memoKey);
    if (size === undefined) memo.set(memoKey, (size = unionSize(all, sub, d + 1, memo)));
    total += n * size;
  }
  return total;
}

const unionOf = (boxes: readonly Box[]) => unionSize(boxes, boxes.map((_, i) => i), 0, new Map());

const count = (list: readonly string[] | undefined, v: string) => (list ?? []).reduce((n, x) => (x === v ? n + 1 : n), 0);

/** Sorted distinct values of dimension d over the boxes, in the order their quoted forms sort. */
function sortedValues(boxes: readonly Box[], d: number, show: (v: string) => string): string[] {
  const all = new Set<string>();
  for (const b of boxes) for (const v of b.sets[d]!) all.add(v);
  return [...all].map((v) => [v, show(v)] as const).sort((a, b) => compareCodePoints(a[1], b[1])).map((x) => x[0]);
}

/**
 * The verbs of one group x resource x name line: per rule in order, each occurrence of the group and resource
 * repeats the rule's verbs, each occurrence of the name repeats each verb (upstream's breakdown order).
 */
function lineVerbs(boxes: readonly Box[], g: string, r: string, n: string): string {
  const shown: string[] = [];
  let total = 0;
  for (const b of boxes) {
    const rule = b.rule;
    const times = count(rule.apiGroups, g) * count(rule.resources, r);
    const each = n === UNNAMED ? 1 : count(rule.resourceNames, n.slice(1));
    total += times * each * rule.verbs.length;
    for (let t = 0; t < times && shown.length < MAX_LINE_VERBS; t++) {
      for (const v of rule.verbs) for (let e = 0; e < each && shown.length < MAX_LINE_VERBS; e++) shown.push(v);
    }
  }
  if (total <= MAX_LINE_VERBS) return goQuoteList(shown);
  return `${goQuoteList(shown).slice(0, -1)} ...and ${(total - shown.length).toLocaleString('en-US')} more]`;
}

function resourceLines(boxes: readonly Box[], limit: number): string[] {
  const lines: string[] = [];
  const quotedName = (n: string) => (n === UNNAMED ? '\u{10ffff}' : goQuote(n.slice(1))); // named lines sort first
  for (const g of sortedValues(boxes, 0, goQuote)) {
    const withG = boxes.filter((b) => b.sets[0]!.has(g));
    for (const r of sortedValues(withG, 1, goQuote)) {
      const withR = withG.filter((b) => b.sets[1]!.has(r));
      for (const n of sortedValues(withR, 2, quotedName)) {
        if (lines.length >= limit) return lines;
        const withN = withR.filter((b) => b.sets[2]!.has(n));
        const names = n === UNNAMED ? '' : `ResourceNames:[${goQuote(n.slice(1))}], `;
        lines.push(`{APIGroups:[${goQuote(g)}], Resources:[${goQuote(r)}], ${names}Verbs:${lineVerbs(withN, g, r, n)}}`);
      }
    }
  }
  return lines;
}

function urlLines(boxes: readonly Box[], limit: number): string[] {
  const lines: string[] = [];
  for (const u of sortedValues(boxes, 0, goQuote)) {
    const withU = boxes.filter((b) => b.sets[0]!.has(u));
    for (const v of sortedValues(withU, 1, goQuote)) {
      if (lines.length >= limit) return lines;
      lines.push(`{NonResourceURLs:[${goQuote(u)}], Verbs:[${goQuote(v)}]}`);
    }
  }
  return lines;
}

/**
 * The first `limit` lines of the apiserver's message for these missing rules (any shape: atoms, rectangles, whole
 * rules) and how many there are. Resource lines (`{APIGroups:...`) sort before URL lines (`{NonResourceURLs:...`).
 */
export function missingLines(missing: readonly PolicyRule[], limit: number): MissingLines {
  const res = resourceBoxes(missing);
  const urls = urlBoxes(missing);
  const total = unionOf(res) + unionOf(urls);
  const lines = resourceLines(res, limit);
  if (lines.length < limit) lines.push(...urlLines(urls, limit - lines.length));
  return { lines, total };
}
