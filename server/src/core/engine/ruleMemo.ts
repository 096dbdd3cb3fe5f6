/**
 * Memoized rule-local checks. Most findings of a Role depend only on one rule's content (and the object's kind):
 * computed once per distinct rule on a single-rule probe whose spans encode (field, item), then placed on each real
 * rule by decoding those spans. Editing one rule of thousands re-checks one rule.
 */
import type { Finding, LocatedRule, PolicyRule, RbacObject, RuleField, Span } from './model';

const FIELDS: readonly RuleField[] = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'];
const RULE = -1;
const fieldSpanCode = (f: number) => -(10 + f);
const keySpanCode = (f: number) => -(20 + f);
const itemCode = (f: number, i: number) => -(1_000_000 * (f + 1) + i);

const keys = new WeakMap<PolicyRule, string>();

/** A stable key for a rule's content (cached on the rule object, which the parse cache shares across edits). */
export function ruleKey(rule: PolicyRule): string {
  let k = keys.get(rule);
  if (k === undefined) {
    k = fieldKey(rule.verbs) + fieldKey(rule.apiGroups) + fieldKey(rule.resources) + fieldKey(rule.resourceNames) + fieldKey(rule.nonResourceURLs);
    keys.set(rule, k);
  }
  return k;
}

/** Length-prefixed items: unambiguous whatever the strings hold, and cheaper than JSON.stringify. */
function fieldKey(items: readonly string[] | undefined): string {
  if (items === undefined) return '~';
  let k = '[';
  for (const s of items) k += `${s.length}:${s}`;
  return `${k}]`;
}

function probeRule(located: LocatedRule): LocatedRule {
  const fields: LocatedRule['fields'] = {};
  FIELDS.forEach((f, fi) => {
    const l = located.fields[f];
    if (!l) return;
    fields[f] = {
      span: { start: fieldSpanCode(fi), end: fieldSpanCode(fi) },
      keySpan: { start: keySpanCode(fi), end: keySpanCode(fi) },
      items: l.items.map((_, i) => ({ start: itemCode(fi, i), end: itemCode(fi, i) })),
    };
  });
  return { index: 0, rule: located.rule, span: { start: RULE, end: RULE }, fields };
}

function decode(code: number, located: LocatedRule): Span {
  if (code === RULE) return located.span;
  if (code <= -1_000_000) {
    const f = Math.floor(-code / 1_000_000) - 1;
    return located.fields[FIELDS[f]!]?.items[-code % 1_000_000] ?? located.span;
  }
  const f = code <= -20 ? -code - 20 : -code - 10;
  const l = located.fields[FIELDS[f]!];
  return (code <= -20 ? l?.keySpan : l?.span) ?? located.span;
}

export class RuleFindingsMemo {
  private memo = new Map<string, Finding[]>();

  constructor(private readonly maxEntries = 20_000) {}

  /** `check` over each rule of obj, memoized by (kind, rule content). `check` must only look at the one rule. */
  findings(obj: RbacObject, check: (probe: RbacObject) => Finding[]): Finding[] {
    if (this.memo.size > this.maxEntries) this.memo = new Map();
    const out: Finding[] = [];
    for (const located of obj.rules) {
      const key = `${obj.kind}\u0000${ruleKey(located.rule)}`;
      let found = this.memo.get(key);
      if (!found) {
        found = check({ ...obj, documentIndex: 0, rules: [probeRule(located)] });
        this.memo.set(key, found);
      }
      for (const f of found) {
        out.push({
          ...f,
          span: decode(f.span.start, located),
          documentIndex: obj.documentIndex,
          ...(f.data ? { data: { ...f.data, ruleIndex: located.index } } : {}),
        });
      }
    }
    return out;
  }
}
