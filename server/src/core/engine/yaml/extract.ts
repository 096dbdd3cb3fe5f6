/**
 * Builds an RbacObject from a converted YAML node: the plain value plus the spans recorded by JSON pointer.
 * Lenient on purpose: malformed parts are kept out of the typed fields (rules, roleRef, subjects) and left for
 * schema validation to report, so the other rules still see everything that is well-formed.
 */
import type { ListLocation, LocatedRule, PolicyRule, RbacKind, RbacObject, RoleRef, RuleField, Span, Subject } from '../model';
import type { Converted } from './convert';

const RULE_FIELDS: readonly RuleField[] = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'];

export function buildRbacObject(kind: RbacKind, apiVersion: string, conv: Converted, documentIndex: number): RbacObject {
  const v = asRecord(conv.value) ?? {};
  const objSpan = conv.pointerSpans.get('') ?? { start: 0, end: 0 };
  const at = (ptr: string): Span => conv.pointerSpans.get(ptr) ?? objSpan;
  const kindSpan = at('/kind');
  const metadata = asRecord(v.metadata) ?? {};

  const obj: RbacObject = {
    kind,
    apiVersion,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    span: objSpan,
    kindSpan,
    nameSpan: conv.pointerSpans.get('/metadata/name') ?? kindSpan,
    rules: [],
    subjects: [],
    value: conv.value,
    pointerSpans: conv.pointerSpans,
    keySpans: conv.keySpans,
    documentIndex,
  };
  if (typeof metadata.namespace === 'string') obj.namespace = metadata.namespace;

  if (kind === 'Role' || kind === 'ClusterRole') {
    obj.rulesKeySpan = conv.keySpans.get('/rules') ?? kindSpan;
    if (Array.isArray(v.rules)) {
      v.rules.forEach((item, index) => {
        const rule = asRecord(item);
        if (rule) obj.rules.push(locateRule(rule, index, conv, at));
      });
    }
    if (kind === 'ClusterRole' && 'aggregationRule' in v && v.aggregationRule !== null) {
      const selectors = asRecord(v.aggregationRule)?.clusterRoleSelectors;
      obj.aggregationRule = { span: at('/aggregationRule'), selectorCount: Array.isArray(selectors) ? selectors.length : 0 };
    }
  }

  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    const ref = asRecord(v.roleRef);
    if (ref) {
      const roleRef: RoleRef = { apiGroup: str(ref.apiGroup), kind: str(ref.kind), name: str(ref.name), span: at('/roleRef'), fieldSpans: {} };
      for (const f of ['apiGroup', 'kind', 'name'] as const) {
        const s = conv.pointerSpans.get(`/roleRef/${f}`);
        if (s && f in ref) roleRef.fieldSpans[f] = s;
      }
      obj.roleRef = roleRef;
    }
    if (Array.isArray(v.subjects)) {
      v.subjects.forEach((item, i) => {
        const s = asRecord(item);
        if (!s) return;
        const subject: Subject = { kind: str(s.kind), name: str(s.name), span: at(`/subjects/${i}`), fieldSpans: {} };
        if (typeof s.namespace === 'string') subject.namespace = s.namespace;
        if (typeof s.apiGroup === 'string') subject.apiGroup = s.apiGroup;
        for (const f of ['kind', 'name', 'namespace', 'apiGroup'] as const) {
          const sp = conv.pointerSpans.get(`/subjects/${i}/${f}`);
          if (sp && f in s) subject.fieldSpans[f] = sp;
        }
        obj.subjects.push(subject);
      });
    }
  }
  return obj;
}

export function locateRule(rule: Record<string, unknown>, index: number, conv: Converted, at: (p: string) => Span): LocatedRule {
  const base = `/rules/${index}`;
  const policy: PolicyRule = { verbs: [] };
  const located: LocatedRule = { index, rule: policy, span: at(base), fields: {} };
  for (const field of RULE_FIELDS) {
    if (!(field in rule)) continue;
    const ptr = `${base}/${field}`;
    const raw = rule[field];
    const values: string[] = [];
    const loc: ListLocation = { span: at(ptr), keySpan: conv.keySpans.get(ptr) ?? at(ptr), items: [] };
    if (Array.isArray(raw)) {
      raw.forEach((x, j) => {
        // Non-string scalars are kept as text (schema validation reports them); nested collections are dropped.
        if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') {
          values.push(String(x));
          loc.items.push(at(`${ptr}/${j}`));
        }
      });
    } else if (typeof raw === 'string') {
      // `verbs: get` is a type error (reported by schema validation) but its meaning is clear to the other rules.
      values.push(raw);
      loc.items.push(loc.span);
    }
    policy[field] = values;
    located.fields[field] = loc;
  }
  return located;
}

function asRecord(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

function stringMap(x: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const rec = asRecord(x);
  if (rec) for (const [k, val] of Object.entries(rec)) if (typeof val === 'string') out[k] = val;
  return out;
}
