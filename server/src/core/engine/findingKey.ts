/**
 * What a finding is about, independent of where it is written: the rule, the object (kind, namespace as written,
 * name) and the normalised grant (the PolicyRule with its lists sorted, the subject or roleRef, or the JSON pointer of
 * the node). Never a line, column or offset, so the key survives edits elsewhere in the file and re-indentation; it
 * changes when the grant changes. The input of the baseline and Code Quality fingerprints (core/shared/fingerprint.ts).
 */
import type { Finding, LocatedRule, PolicyRule, RbacObject, Span } from './model';

const within = (outer: Span, at: number): boolean => outer.start <= at && at < Math.max(outer.end, outer.start + 1);

/** The object a finding sits in: the innermost object whose span holds the finding's start (a `kind: List` holds several). */
function objectOf(f: Finding, objects: readonly RbacObject[]): RbacObject | undefined {
  let best: RbacObject | undefined;
  for (const o of objects) {
    if (f.documentIndex !== undefined && o.documentIndex !== f.documentIndex) continue;
    if (!within(o.span, f.span.start)) continue;
    if (!best || o.span.end - o.span.start < best.span.end - best.span.start) best = o;
  }
  return best;
}

const sorted = (list: readonly string[] | undefined): string[] => [...new Set(list ?? [])].sort();

function normalRule(r: PolicyRule): Record<string, string[]> {
  const out: Record<string, string[]> = { verbs: sorted(r.verbs) };
  // An absent list and an empty one grant the same; only lists with items are named.
  for (const field of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
    if (r[field]?.length) out[field] = sorted(r[field]);
  }
  return out;
}

function ruleOf(f: Finding, o: RbacObject): LocatedRule | undefined {
  const index = f.data?.ruleIndex;
  if (index !== undefined) return o.rules.find((r) => r.index === index);
  return o.rules.find((r) => within(r.span, f.span.start));
}

/** The innermost JSON pointer whose node holds the finding's start, with array indices kept (a field of the object). */
function pointerOf(f: Finding, o: RbacObject): string {
  let best = '';
  let size = Infinity;
  for (const [pointer, span] of o.pointerSpans) {
    if (within(span, f.span.start) && span.end - span.start < size) {
      best = pointer;
      size = span.end - span.start;
    }
  }
  return best;
}

function grantOf(f: Finding, o: RbacObject, text: string): unknown {
  const rule = ruleOf(f, o);
  if (rule) return { rule: normalRule(rule.rule) };
  const subject = o.subjects.find((s) => within(s.span, f.span.start));
  if (subject) return { subject: { kind: subject.kind, name: subject.name, namespace: subject.namespace ?? '', apiGroup: subject.apiGroup ?? '' } };
  if (o.roleRef && within(o.roleRef.span, f.span.start)) return { roleRef: { apiGroup: o.roleRef.apiGroup, kind: o.roleRef.kind, name: o.roleRef.name } };
  return { at: pointerOf(f, o), text: spanText(f.span, text) };
}

/** The finding's own text with whitespace collapsed (indentation and line breaks never count), bounded. */
function spanText(span: Span, text: string): string {
  return text.slice(span.start, Math.min(span.end, span.start + 256)).replace(/\s+/g, ' ').trim();
}

/**
 * The key of each finding, aligned with `findings`. `text` is the text the findings' spans point into (for a finding
 * outside every RBAC object, such as a syntax error, its own text is what identifies it).
 */
export function findingKeys(findings: readonly Finding[], objects: readonly RbacObject[], text: string): string[] {
  return findings.map((f) => {
    const d = f.data ?? {};
    // The "N more" summary of a capped rule: the count is compared by the baseline, not part of the key.
    const detail = { field: d.field ?? '', value: d.value ?? '', ...(d.omitted !== undefined ? { omitted: true } : {}) };
    const o = objectOf(f, objects);
    if (!o) return JSON.stringify([f.ruleId, null, { text: spanText(f.span, text) }, detail]);
    return JSON.stringify([f.ruleId, [o.kind, o.namespace ?? '', o.name], grantOf(f, o, text), detail]);
  });
}

/** The findings with their fingerprintKey set (for callers that fingerprint: baseline, Code Quality). */
export function withFingerprintKeys(findings: readonly Finding[], objects: readonly RbacObject[], text: string): Finding[] {
  const keys = findingKeys(findings, objects, text);
  return findings.map((f, i) => ({ ...f, fingerprintKey: keys[i]! }));
}
