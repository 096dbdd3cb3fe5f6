/**
 * ClusterRole aggregation as the clusterrole-aggregation controller does it: an aggregated ClusterRole's rules are
 * replaced by the union of the rules of every other ClusterRole matching any of its clusterRoleSelectors (OR across
 * selectors, AND within one; metav1.LabelSelectorAsSelector semantics). Pure: the caller says which ClusterRoles it
 * knows (same file, workspace, cluster) and whether that is every ClusterRole of the cluster.
 */
import type { PolicyRule, RbacObject } from '../model';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** A ClusterRole as aggregation sees it: plain data (crosses worker threads). */
export interface KnownClusterRole {
  name: string;
  labels: Readonly<Record<string, string>>;
  rules: readonly PolicyRule[];
  /** Present when the ClusterRole has an aggregationRule (possibly invalid: `invalid` says why). */
  aggregation?: { selectors: LabelSelector[]; invalid?: string };
}

export interface AggregatedRules {
  /** The union of the matched roles' rules, deduplicated, in the controller's order (selector, then name). */
  rules: PolicyRule[];
  /** Names of the ClusterRoles whose rules were taken. */
  from: string[];
  /**
   * True only when the known roles are every ClusterRole of the cluster and every selector (also of nested
   * aggregated roles) is valid: otherwise `rules` is what is known, and more may be aggregated.
   */
  complete: boolean;
  /** Why a selector cannot be evaluated (the apiserver rejects it; the controller aggregates nothing). */
  invalid?: string;
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Why a selector is invalid (what LabelSelectorAsSelector rejects), or undefined. */
export function selectorProblem(s: LabelSelector): string | undefined {
  for (const e of s.matchExpressions ?? []) {
    if (!OPERATORS.has(e.operator)) return `operator "${e.operator}" is not In, NotIn, Exists or DoesNotExist`;
    const n = e.values?.length ?? 0;
    if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0) return `operator ${e.operator} on "${e.key}" needs values`;
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0) return `operator ${e.operator} on "${e.key}" takes no values`;
  }
  return undefined;
}

/** Does a (valid) selector match the labels? An empty selector matches everything. */
export function selectorMatches(s: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(labels, k);
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (!has(k) || labels[k] !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const present = has(e.key);
    const values = e.values ?? [];
    const ok =
      e.operator === 'In' ? present && values.includes(labels[e.key]!)
      : e.operator === 'NotIn' ? !present || !values.includes(labels[e.key]!)
      : e.operator === 'Exists' ? present
      : e.operator === 'DoesNotExist' ? !present
      : false;
    if (!ok) return false;
  }
  return true;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The aggregationRule of a ClusterRole's plain value; undefined when it has none. Malformed parts make it invalid. */
export function aggregationOf(value: unknown): KnownClusterRole['aggregation'] {
  const rule = record(value)?.aggregationRule;
  if (rule === undefined || rule === null) return undefined;
  const list = record(rule)?.clusterRoleSelectors;
  if (!Array.isArray(list) || list.length === 0) return { selectors: [], invalid: 'aggregationRule has no clusterRoleSelectors' };
  const selectors: LabelSelector[] = [];
  for (const item of list) {
    const s = record(item);
    if (!s) return { selectors: [], invalid: 'a clusterRoleSelector is not a mapping' };
    const sel: LabelSelector = {};
    const ml = record(s.matchLabels);
    if (ml) {
      if (Object.values(ml).some((x) => typeof x !== 'string')) return { selectors: [], invalid: 'matchLabels values must be strings' };
      sel.matchLabels = ml as Record<string, string>;
    }
    if (Array.isArray(s.matchExpressions)) {
      const exprs: LabelSelectorRequirement[] = [];
      for (const e of s.matchExpressions) {
        const r = record(e);
        if (!r || typeof r.key !== 'string' || typeof r.operator !== 'string') return { selectors: [], invalid: 'a matchExpression needs a key and an operator' };
        const values = Array.isArray(r.values) ? r.values.filter((x): x is string => typeof x === 'string') : undefined;
        exprs.push({ key: r.key, operator: r.operator, ...(values ? { values } : {}) });
      }
      sel.matchExpressions = exprs;
    }
    const problem = selectorProblem(sel);
    if (problem) return { selectors: [], invalid: problem };
    selectors.push(sel);
  }
  return { selectors };
}

/** A parsed ClusterRole as aggregation input; undefined for other kinds. */
export function knownClusterRole(obj: RbacObject): KnownClusterRole | undefined {
  if (obj.kind !== 'ClusterRole') return undefined;
  const aggregation = aggregationOf(obj.value);
  return { name: obj.name, labels: obj.labels, rules: obj.rules.map((r) => r.rule), ...(aggregation ? { aggregation } : {}) };
}

function ruleKey(r: PolicyRule): string {
  return JSON.stringify([r.verbs, r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
}

/**
 * The rules the controller gives `role` from `known` (other ClusterRoles; `role` itself is skipped, as the controller
 * does). A matched role that aggregates too contributes its own resolved rules (what the controller converges to);
 * cycles stop at a role already being resolved. `allKnown`: `known` is every ClusterRole of the cluster.
 */
export function resolveAggregation(role: KnownClusterRole, known: Iterable<KnownClusterRole>, allKnown = false): AggregatedRules {
  const byName = new Map<string, KnownClusterRole>();
  for (const k of known) byName.set(k.name, k);
  const sorted = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const memo = new Map<string, AggregatedRules>();
  const resolving = new Set<string>();

  const resolve = (r: KnownClusterRole): AggregatedRules => {
    const done = memo.get(r.name);
    if (done) return done;
    const agg = r.aggregation;
    if (!agg) return { rules: [...r.rules], from: [], complete: true };
    if (agg.invalid) return { rules: [], from: [], complete: false, invalid: agg.invalid };
    resolving.add(r.name);
    const rules: PolicyRule[] = [];
    const seen = new Set<string>();
    const from: string[] = [];
    let complete = allKnown;
    for (const sel of agg.selectors) {
      for (const other of sorted) {
        if (other.name === r.name || !selectorMatches(sel, other.labels)) continue;
        let theirs: readonly PolicyRule[] = other.rules;
        if (other.aggregation && !resolving.has(other.name)) {
          const nested = resolve(other);
          if (!nested.complete) complete = false;
          theirs = nested.rules;
        }
        if (!from.includes(other.name)) from.push(other.name);
        for (const rule of theirs) {
          const key = ruleKey(rule);
          if (seen.has(key)) continue;
          seen.add(key);
          rules.push(rule);
        }
      }
    }
    resolving.delete(r.name);
    const result = { rules, from, complete };
    memo.set(r.name, result);
    return result;
  };
  return resolve(role);
}
