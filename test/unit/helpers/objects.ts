/**
 * Test helper: RbacObjects from YAML text with the real source spans (via the `yaml` package), independent of the
 * production parser so the rule tests exercise only the rules. Also `textAt` to read a finding's span back.
 */
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { ListLocation, LocatedRule, PolicyRule, RbacKind, RbacObject, RuleField, Span, Subject } from '../../../server/src/core/engine/model';

const KINDS = new Set<string>(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount']);
const RULE_FIELDS: readonly RuleField[] = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'];

function spanOf(node: Node | null | undefined): Span {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

function esc(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function walk(node: unknown, ptr: string, values: Map<string, Span>, keys: Map<string, Span>): void {
  if (!node || typeof node !== 'object') return;
  values.set(ptr, spanOf(node as Node));
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const child = `${ptr}/${esc(key)}`;
      keys.set(child, spanOf(pair.key as Node));
      if (pair.value) walk(pair.value, child, values, keys);
      else values.set(child, spanOf(pair.key as Node));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walk(item, `${ptr}/${i}`, values, keys));
  }
}

type Rec = Record<string, unknown>;
const rec = (x: unknown): Rec | undefined => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Rec) : undefined);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');

/** Every RBAC object of a multi-document YAML text. */
export function objectsFromYaml(text: string): RbacObject[] {
  const out: RbacObject[] = [];
  parseAllDocuments(text).forEach((doc, documentIndex) => {
    if ('errors' in doc && doc.errors.length) throw new Error(`bad test YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    const v = rec(value);
    if (!v || !KINDS.has(str(v.kind))) return;
    const values = new Map<string, Span>();
    const keys = new Map<string, Span>();
    walk(doc.contents, '', values, keys);
    const at = (p: string): Span => values.get(p) ?? values.get('')!;
    const meta = rec(v.metadata) ?? {};
    const obj: RbacObject = {
      kind: v.kind as RbacKind,
      apiVersion: str(v.apiVersion),
      name: str(meta.name),
      labels: Object.fromEntries(Object.entries(rec(meta.labels) ?? {}).map(([k, x]) => [k, String(x)])),
      annotations: {},
      span: at(''),
      kindSpan: at('/kind'),
      nameSpan: values.get('/metadata/name') ?? at('/kind'),
      rules: [],
      subjects: [],
      value,
      pointerSpans: values,
      keySpans: keys,
      documentIndex,
    };
    if (typeof meta.namespace === 'string') obj.namespace = meta.namespace;
    if (Array.isArray(v.rules)) {
      obj.rulesKeySpan = keys.get('/rules');
      v.rules.forEach((r, index) => obj.rules.push(locate(rec(r) ?? {}, index, at, keys)));
    }
    const agg = rec(v.aggregationRule);
    if (agg) {
      const sel = agg.clusterRoleSelectors;
      obj.aggregationRule = { span: at('/aggregationRule'), selectorCount: Array.isArray(sel) ? sel.length : 0 };
    }
    const ref = rec(v.roleRef);
    if (ref) {
      obj.roleRef = {
        apiGroup: str(ref.apiGroup),
        kind: str(ref.kind),
        name: str(ref.name),
        span: at('/roleRef'),
        fieldSpans: Object.fromEntries(['apiGroup', 'kind', 'name'].filter((f) => f in ref).map((f) => [f, at(`/roleRef/${f}`)])),
      };
    }
    if (Array.isArray(v.subjects)) {
      v.subjects.forEach((s, i) => {
        const r = rec(s) ?? {};
        const subject: Subject = {
          kind: str(r.kind),
          name: str(r.name),
          span: at(`/subjects/${i}`),
          fieldSpans: Object.fromEntries(['kind', 'name', 'namespace', 'apiGroup'].filter((f) => f in r).map((f) => [f, at(`/subjects/${i}/${f}`)])),
        };
        if (typeof r.namespace === 'string') subject.namespace = r.namespace;
        if (typeof r.apiGroup === 'string') subject.apiGroup = r.apiGroup;
        obj.subjects.push(subject);
      });
    }
    out.push(obj);
  });
  return out;
}

function locate(r: Rec, index: number, at: (p: string) => Span, keys: Map<string, Span>): LocatedRule {
  const rule: PolicyRule = { verbs: [] };
  const located: LocatedRule = { index, rule, span: at(`/rules/${index}`), fields: {} };
  for (const field of RULE_FIELDS) {
    if (!(field in r)) continue;
    const ptr = `/rules/${index}/${field}`;
    const raw = Array.isArray(r[field]) ? (r[field] as unknown[]) : [r[field]];
    rule[field] = raw.map(String);
    const loc: ListLocation = {
      span: at(ptr),
      keySpan: keys.get(ptr) ?? at(ptr),
      items: Array.isArray(r[field]) ? raw.map((_, j) => at(`${ptr}/${j}`)) : [at(ptr)],
    };
    located.fields[field] = loc;
  }
  return located;
}

/** The single object of a one-document text. */
export function objectFromYaml(text: string): RbacObject {
  const objs = objectsFromYaml(text);
  if (objs.length !== 1) throw new Error(`expected one RBAC object, got ${objs.length}`);
  return objs[0]!;
}

/** The source text a span covers, unquoted. */
export function textAt(text: string, span: Span): string {
  return text.slice(span.start, span.end).replace(/^["']|["']$/g, '');
}

/** A Role YAML with the given rules (YAML flow lists), in namespace ci. */
export function roleYaml(rules: string, kind: 'Role' | 'ClusterRole' = 'Role', name = 'deployer'): string {
  const ns = kind === 'Role' ? '  namespace: ci\n' : '';
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${ns}rules:\n${rules}`;
}
