/**
 * What the person (or pipeline) applying the files holds: plain data, no I/O. Built from the live cluster
 * (SelfSubjectRulesReview per namespace, SelfSubjectAccessReview for escalate/bind) or from a file of Role/ClusterRole
 * documents or SelfSubjectRulesReview objects (`--held-rules`).
 */
import type { PolicyRule } from '../model';

export interface NamespaceRules {
  rules: PolicyRule[];
  /** The cluster said its list is incomplete (webhook authorizers): a missing rule is "unknown", never "denied". */
  incomplete: boolean;
}

export interface HeldPermissions {
  /** Where the data came from, e.g. "live: context kind-dev" or "file: held.yaml". */
  source: string;
  user?: { username: string; groups: string[] };
  /** Member of system:masters: the apiserver skips every escalation check. */
  superuser?: boolean;
  /**
   * Held rules by namespace. Key '' holds the cluster-wide (ClusterRoleBinding) rules only; a namespace key holds
   * everything that applies in it (cluster-wide rules included, as SelfSubjectRulesReview reports them).
   */
  namespaces: Record<string, NamespaceRules>;
  /**
   * Rules that apply in any namespace not listed in `namespaces` (a file of Roles/ClusterRoles describes them all).
   * Absent: such namespaces are unknown (live data is fetched per namespace).
   */
  otherNamespaces?: NamespaceRules;
  /** SelfSubjectAccessReview answers, keyed by accessKey(verb, resource, namespace, name). */
  access?: Record<string, boolean>;
  /** Live data: at most this many namespaces of a file are read (liveScope.ts); the rest get one finding. */
  liveNamespaceLimit?: number;
}

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const SUPERUSER_GROUP = 'system:masters';

/** Key of one SelfSubjectAccessReview answer (group rbac.authorization.k8s.io is implied for roles/clusterroles). */
export function accessKey(verb: string, resource: string, namespace: string, name: string): string {
  return JSON.stringify([verb, resource, namespace, name]);
}

/**
 * The `escalate` check the apiserver makes when a Role/ClusterRole is created: the request has no object name yet
 * (POST to the collection), so only a rule without resourceNames can allow it.
 */
export function escalateAccessKey(kind: 'Role' | 'ClusterRole', namespace: string): string {
  return kind === 'Role' ? accessKey('escalate', 'roles', namespace, '') : accessKey('escalate', 'clusterroles', '', '');
}

/** The `bind` check for a binding: the referenced role's name, in the binding's namespace ('' for a ClusterRoleBinding). */
export function bindAccessKey(roleRefKind: 'Role' | 'ClusterRole', bindingNamespace: string, roleName: string): string {
  return accessKey('bind', roleRefKind === 'Role' ? 'roles' : 'clusterroles', bindingNamespace, roleName);
}

/** The rules that count in `namespace` ('' = cluster-wide only), or undefined when nothing is known there. */
export function heldRulesFor(held: HeldPermissions, namespace: string): NamespaceRules | undefined {
  return held.namespaces[namespace] ?? (namespace !== '' ? held.otherNamespaces : undefined);
}

export class HeldPermissionsError extends Error {
  override name = 'HeldPermissionsError';
}

/** SelfSubjectRulesReview `status` -> rules; throws HeldPermissionsError on a malformed status. */
export function rulesFromRulesReviewStatus(status: unknown, where = 'status'): NamespaceRules {
  const s = record(status, where);
  const rules: PolicyRule[] = [];
  for (const [i, r] of list(s.resourceRules, `${where}.resourceRules`).entries()) {
    const rr = record(r, `${where}.resourceRules[${i}]`);
    const rule: PolicyRule = { verbs: strings(rr.verbs, `${where}.resourceRules[${i}].verbs`) };
    rule.apiGroups = strings(rr.apiGroups, `${where}.resourceRules[${i}].apiGroups`);
    rule.resources = strings(rr.resources, `${where}.resourceRules[${i}].resources`);
    const names = strings(rr.resourceNames, `${where}.resourceRules[${i}].resourceNames`);
    if (names.length) rule.resourceNames = names;
    rules.push(rule);
  }
  for (const [i, r] of list(s.nonResourceRules, `${where}.nonResourceRules`).entries()) {
    const nr = record(r, `${where}.nonResourceRules[${i}]`);
    rules.push({
      verbs: strings(nr.verbs, `${where}.nonResourceRules[${i}].verbs`),
      nonResourceURLs: strings(nr.nonResourceURLs, `${where}.nonResourceRules[${i}].nonResourceURLs`),
    });
  }
  return { rules, incomplete: s.incomplete === true };
}

/** A Role/ClusterRole `rules` array -> PolicyRules; throws HeldPermissionsError on malformed rules. */
export function policyRules(value: unknown, where = 'rules'): PolicyRule[] {
  return list(value, where).map((r, i) => {
    const rr = record(r, `${where}[${i}]`);
    const rule: PolicyRule = { verbs: strings(rr.verbs, `${where}[${i}].verbs`) };
    for (const f of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
      if (rr[f] !== undefined && rr[f] !== null) rule[f] = strings(rr[f], `${where}[${i}].${f}`);
    }
    return rule;
  });
}

export interface HeldDocumentsOptions {
  source: string;
  /** Namespace of a Role document without metadata.namespace. Default "default". */
  defaultNamespace?: string;
  user?: { username: string; groups: string[] };
}

/**
 * Builds HeldPermissions from parsed documents (plain JS values): Role and ClusterRole documents (a complete
 * description: ClusterRoles hold everywhere, Roles in their namespace), SelfSubjectRulesReview objects (one namespace
 * each, as `kubectl create -o yaml` returns them), and `kind: List` of those. Other kinds are ignored.
 * Throws HeldPermissionsError when a document is malformed or none is usable.
 */
export function heldPermissionsFromDocuments(documents: readonly unknown[], options: HeldDocumentsOptions): HeldPermissions {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const cluster: PolicyRule[] = [];
  const roles = new Map<string, PolicyRule[]>();
  const reviews = new Map<string, NamespaceRules>();
  let sawRoleDocs = false;

  const visit = (doc: unknown, where: string): void => {
    if (doc === null || doc === undefined) return;
    const d = record(doc, where);
    const kind = d.kind;
    if (kind === 'List' || kind === 'RoleList' || kind === 'ClusterRoleList') {
      // Typed lists from the API omit each item's kind.
      const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      list(d.items, `${where}.items`).forEach((item, i) => {
        const it = itemKind ? { kind: itemKind, ...record(item, `${where}.items[${i}]`) } : item;
        visit(it, `${where}.items[${i}]`);
      });
    } else if (kind === 'ClusterRole') {
      sawRoleDocs = true;
      cluster.push(...policyRules(d.rules ?? [], `${where}.rules`));
    } else if (kind === 'Role') {
      sawRoleDocs = true;
      const meta = d.metadata === undefined ? {} : record(d.metadata, `${where}.metadata`);
      const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : defaultNamespace;
      roles.set(ns, [...(roles.get(ns) ?? []), ...policyRules(d.rules ?? [], `${where}.rules`)]);
    } else if (kind === 'SelfSubjectRulesReview') {
      const spec = record(d.spec, `${where}.spec`);
      if (typeof spec.namespace !== 'string' || spec.namespace === '') {
        throw new HeldPermissionsError(`${where}: a SelfSubjectRulesReview needs spec.namespace`);
      }
      const got = rulesFromRulesReviewStatus(d.status, `${where}.status`);
      const prev = reviews.get(spec.namespace);
      reviews.set(spec.namespace, prev ? { rules: [...prev.rules, ...got.rules], incomplete: prev.incomplete || got.incomplete } : got);
    }
  };
  documents.forEach((doc, i) => visit(doc, `document ${i + 1}`));

  if (!sawRoleDocs && reviews.size === 0) {
    throw new HeldPermissionsError('no Role, ClusterRole or SelfSubjectRulesReview found');
  }

  const held: HeldPermissions = { source: options.source, namespaces: {} };
  if (options.user) {
    held.user = { username: options.user.username, groups: [...options.user.groups] };
    if (options.user.groups.includes(SUPERUSER_GROUP)) held.superuser = true;
  }
  if (sawRoleDocs) {
    // Role/ClusterRole documents describe everything the applier holds: cluster-wide rules count everywhere.
    held.namespaces[''] = { rules: [...cluster], incomplete: false };
    held.otherNamespaces = { rules: [...cluster], incomplete: false };
    for (const [ns, rules] of roles) held.namespaces[ns] = { rules: [...cluster, ...rules], incomplete: false };
  }
  for (const [ns, review] of reviews) {
    const base = held.namespaces[ns]?.rules ?? (sawRoleDocs ? cluster : []);
    held.namespaces[ns] = { rules: [...base, ...review.rules], incomplete: review.incomplete };
  }
  return held;
}

function record(x: unknown, where: string): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new HeldPermissionsError(`${where}: expected a mapping`);
  return x as Record<string, unknown>;
}

function list(x: unknown, where: string): unknown[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) throw new HeldPermissionsError(`${where}: expected a list`);
  return x;
}

function strings(x: unknown, where: string): string[] {
  return list(x, where).map((v, i) => {
    if (typeof v !== 'string') throw new HeldPermissionsError(`${where}[${i}]: expected a string`);
    return v;
  });
}
