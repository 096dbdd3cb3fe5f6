/**
 * Predicts the apiserver's escalation check (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/
 * policybased/storage.go) for one object, in the apiserver's order, and turns a denial into findings:
 *   Role/ClusterRole: system:masters -> allowed; authorizer allows `escalate` -> allowed; else every rule must be covered
 *   by the applier's rules (ConfirmNoEscalation); a ClusterRole with an aggregationRule also needs full authority.
 *   Bindings: system:masters -> allowed; authorizer allows `bind` on the role -> allowed; else the role's rules must be
 *   covered in the binding's namespace.
 * Incomplete or missing data is "unknown": never a denial.
 */
import type { Finding, LocatedRule, PolicyRule, RbacObject, RuleField, Span } from '../model';
import { covers, describeMissing, escalationErrorText, VERDICT_LINES } from './covers';
import { goQuote } from './goFormat';
import { rulesAllow } from './evaluate';
import {
  bindAccessKey,
  escalateAccessKey,
  heldRulesFor,
  RBAC_GROUP,
  type HeldPermissions,
  type NamespaceRules,
} from './heldPermissions';

export interface NotHeldContext {
  /** Namespace of a Role/RoleBinding without metadata.namespace. */
  defaultNamespace: string;
  /** Rules of a referenced role, or undefined when unknown. */
  resolveRole: (kind: 'Role' | 'ClusterRole', name: string, namespace: string) => PolicyRule[] | undefined;
}

export type AllowedReason = 'superuser' | 'escalate' | 'bind' | 'covered';

export type Verdict =
  | { status: 'allowed'; reason: AllowedReason }
  | {
      status: 'denied';
      /** What the applier lacks, as rectangles (rules every atom of which is missing; covers.ts). */
      missing: PolicyRule[];
      /** The Forbidden message the apiserver will answer with (its first VERDICT_LINES lines, then how many more). */
      message: string;
    }
  | {
      status: 'unknown';
      reason: 'no-data' | 'incomplete' | 'role-unresolved' | 'not-applicable';
      /** Rectangles not covered by the rules we know (incomplete data). */
      missing: PolicyRule[];
    };

/** Full authority, required to set an aggregationRule (clusterrole/policybased/storage.go). */
export const FULL_AUTHORITY: readonly PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const AGGREGATION_ERROR = 'must have cluster-admin privileges to use the aggregationRule';

/** The namespace an object's escalation check runs in ('' for cluster-scoped kinds). */
export function checkNamespace(obj: RbacObject, defaultNamespace: string): string {
  return obj.kind === 'Role' || obj.kind === 'RoleBinding' ? obj.namespace || defaultNamespace : '';
}

/** The verdict on the rules of a Role/ClusterRole (the aggregationRule is judged by aggregationVerdict). */
export function roleVerdict(obj: RbacObject, held: HeldPermissions, defaultNamespace: string): Verdict {
  if (obj.kind !== 'Role' && obj.kind !== 'ClusterRole') return { status: 'unknown', reason: 'not-applicable', missing: [] };
  return grantCheck(obj, obj.rules.map((r) => r.rule), held, defaultNamespace).verdict;
}

/** The aggregationRule check; 'allowed' also when there is no aggregationRule. */
export function aggregationVerdict(obj: RbacObject, held: HeldPermissions): Verdict {
  if (obj.kind !== 'ClusterRole' || !obj.aggregationRule || obj.aggregationRule.selectorCount === 0) {
    return { status: 'allowed', reason: 'covered' };
  }
  const v = grantCheck(obj, FULL_AUTHORITY, held, '').verdict;
  if (v.status !== 'denied') return v;
  return { ...v, message: `${forbiddenPrefix(obj)}${AGGREGATION_ERROR}` };
}

interface GrantCheck {
  verdict: Verdict;
  /** Missing atoms per granted rule, when coverage was compared. */
  perRule?: PolicyRule[][];
}

/** The Role/ClusterRole storage's order: system:masters, then `escalate`, then coverage rule by rule. */
function grantCheck(obj: RbacObject, rules: readonly PolicyRule[], held: HeldPermissions, defaultNamespace: string): GrantCheck {
  if (held.superuser) return { verdict: { status: 'allowed', reason: 'superuser' } };
  const kind = obj.kind as 'Role' | 'ClusterRole';
  const ns = checkNamespace(obj, defaultNamespace);
  const known = heldRulesFor(held, ns);
  const escalateReq = { verb: 'escalate', apiGroup: RBAC_GROUP, resource: kind === 'Role' ? 'roles' : 'clusterroles', name: '' };
  if (held.access?.[escalateAccessKey(kind, ns)] === true || (known && rulesAllow(known.rules, escalateReq))) {
    return { verdict: { status: 'allowed', reason: 'escalate' } };
  }
  if (!known) return { verdict: coverVerdict(obj, rules, held, known) };
  const perRule = rules.map((r) => covers(known.rules, [r]).missing);
  return { verdict: verdictFromMissing(obj, perRule.flat(), held, known), perRule };
}

/** The verdict on a RoleBinding/ClusterRoleBinding. */
export function bindingVerdict(obj: RbacObject, held: HeldPermissions, ctx: NotHeldContext): Verdict {
  const ref = obj.roleRef;
  if ((obj.kind !== 'RoleBinding' && obj.kind !== 'ClusterRoleBinding') || !ref || (ref.kind !== 'Role' && ref.kind !== 'ClusterRole')) {
    return { status: 'unknown', reason: 'not-applicable', missing: [] };
  }
  if (held.superuser) return { status: 'allowed', reason: 'superuser' };
  const ns = checkNamespace(obj, ctx.defaultNamespace);
  const known = heldRulesFor(held, ns);
  const bindReq = { verb: 'bind', apiGroup: ref.apiGroup, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles', name: ref.name };
  if (held.access?.[bindAccessKey(ref.kind, ns, ref.name)] === true || (known && rulesAllow(known.rules, bindReq))) {
    return { status: 'allowed', reason: 'bind' };
  }
  const roleRules = ctx.resolveRole(ref.kind, ref.name, ns);
  if (!roleRules) return { status: 'unknown', reason: 'role-unresolved', missing: [] };
  return coverVerdict(obj, roleRules, held, known);
}

function coverVerdict(obj: RbacObject, rules: readonly PolicyRule[], held: HeldPermissions, known: NamespaceRules | undefined): Verdict {
  if (!known) return { status: 'unknown', reason: 'no-data', missing: covers([], rules).missing };
  return verdictFromMissing(obj, covers(known.rules, rules).missing, held, known);
}

function verdictFromMissing(obj: RbacObject, missing: PolicyRule[], held: HeldPermissions, known: NamespaceRules): Verdict {
  if (missing.length === 0) return { status: 'allowed', reason: 'covered' };
  if (known.incomplete) return { status: 'unknown', reason: 'incomplete', missing };
  return { status: 'denied', missing, message: `${forbiddenPrefix(obj)}${escalationErrorText(held.user, missing, VERDICT_LINES)}` };
}

/** `roles.rbac.authorization.k8s.io "name" is forbidden: ` as apierrors.NewForbidden prints it. */
function forbiddenPrefix(obj: RbacObject): string {
  return `${obj.kind.toLowerCase()}s.${RBAC_GROUP} ${goQuote(obj.name)} is forbidden: `;
}

/** not-held / binding-not-held findings for one object. */
export function notHeldFindings(obj: RbacObject, held: HeldPermissions, ctx: NotHeldContext): Finding[] {
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') return roleFindings(obj, held, ctx.defaultNamespace);
  if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') return bindingFindings(obj, held, ctx);
  return [];
}

function roleFindings(obj: RbacObject, held: HeldPermissions, defaultNamespace: string): Finding[] {
  const findings: Finding[] = [];
  const { verdict, perRule } = grantCheck(obj, obj.rules.map((r) => r.rule), held, defaultNamespace);
  if (perRule && (verdict.status === 'denied' || (verdict.status === 'unknown' && verdict.reason === 'incomplete'))) {
    const ns = checkNamespace(obj, defaultNamespace);
    // One finding per rule, on the most specific node that carries its missing atoms.
    obj.rules.forEach((located, i) => {
      const missing = perRule[i]!;
      if (missing.length === 0) return;
      const place = placeMissing(located, missing);
      findings.push({
        ruleId: 'not-held',
        severity: verdict.status === 'denied' ? 'error' : 'hint',
        message:
          verdict.status === 'denied'
            ? `${deniedText(held, missing)} (held rules: ${held.source})`
            : `cannot confirm you hold ${describeMissing(missing).join(', ')}: the cluster reports an incomplete rule list for ${scopeName(ns)} (${held.source}); another authorizer may still allow it`,
        span: place.span,
        documentIndex: obj.documentIndex,
        data: { missing, ruleIndex: located.index, ...(place.field ? { field: place.field, value: place.value } : {}) },
      });
    });
  }
  const agg = aggregationVerdict(obj, held);
  if (obj.aggregationRule && agg.status === 'denied') {
    findings.push({
      ruleId: 'not-held',
      severity: 'error',
      message: `the apiserver will reject this: ${AGGREGATION_ERROR} (an aggregationRule needs every verb on every resource and non-resource URL; held rules: ${held.source})`,
      span: obj.aggregationRule.span,
      documentIndex: obj.documentIndex,
      data: { missing: agg.missing },
    });
  }
  return findings;
}

function bindingFindings(obj: RbacObject, held: HeldPermissions, ctx: NotHeldContext): Finding[] {
  const ref = obj.roleRef;
  const verdict = bindingVerdict(obj, held, ctx);
  if (!ref || verdict.status === 'allowed') return [];
  const span = ref.fieldSpans.name ?? ref.span;
  const ns = checkNamespace(obj, ctx.defaultNamespace);
  const target = `${ref.kind} ${goQuote(ref.name)}`;
  const bindHint = `bind on ${ref.kind === 'Role' ? 'roles' : 'clusterroles'} ${goQuote(ref.name)} in ${scopeName(ns)}`;
  const base = { ruleId: 'binding-not-held' as const, span, documentIndex: obj.documentIndex };
  if (verdict.status === 'denied') {
    return [{
      ...base,
      severity: 'error',
      message: `${deniedText(held, verdict.missing)} (binding ${target} needs ${bindHint} or all of its permissions; held rules: ${held.source})`,
      data: { missing: verdict.missing },
    }];
  }
  if (verdict.reason === 'role-unresolved') {
    return [{
      ...base,
      severity: 'information',
      message: `cannot check this binding: ${target} is not in these files or the cluster data (${held.source}); without ${bindHint} the apiserver compares its rules with yours, and rejects the binding if the role does not exist`,
    }];
  }
  if (verdict.reason === 'incomplete') {
    return [{
      ...base,
      severity: 'hint',
      message: `cannot confirm you hold every permission of ${target} (${describeMissing(verdict.missing).join(', ')} not in the rules the cluster reported for ${scopeName(ns)}, which are incomplete; ${held.source})`,
      data: { missing: verdict.missing },
    }];
  }
  return [];
}

/** One line: the apiserver's error with its newlines folded. */
function deniedText(held: HeldPermissions, missing: readonly PolicyRule[]): string {
  return `the apiserver will reject this: ${escalationErrorText(held.user, missing).replace(/:\n/, ': ').replace(/\n/g, ', ')}`;
}

function scopeName(ns: string): string {
  return ns === '' ? 'cluster-wide bindings' : `namespace ${goQuote(ns)}`;
}

interface Place {
  span: Span;
  field?: RuleField;
  value?: string;
}

const PLACE_ORDER: readonly RuleField[] = ['verbs', 'resources', 'apiGroups', 'nonResourceURLs', 'resourceNames'];

/**
 * Where to put a rule's not-held finding: on the one item every missing atom shares, when the rule lists several
 * values in that field (so the item is what distinguishes the missing part); else on the whole rule.
 */
export function placeMissing(located: LocatedRule, missing: readonly PolicyRule[]): Place {
  for (const field of PLACE_ORDER) {
    const values = located.rule[field] ?? [];
    if (new Set(values).size < 2) continue;
    const shared = sharedValues(missing, field);
    if (shared.size !== 1) continue;
    const value = [...shared][0];
    if (value === undefined) continue;
    const loc = located.fields[field];
    const item = loc?.items[values.indexOf(value)];
    if (item) return { span: item, field, value };
  }
  return { span: located.span };
}

/** The values a field takes over the missing atoms (undefined for an atom without it), stopping at two. */
function sharedValues(missing: readonly PolicyRule[], field: RuleField): Set<string | undefined> {
  const shared = new Set<string | undefined>();
  for (const m of missing) {
    const values = m[field]?.length ? m[field]! : [undefined];
    for (const v of values) {
      shared.add(v);
      if (shared.size > 1) return shared;
    }
  }
  return shared;
}
