/**
 * Steps through the authorization system itself: impersonation, binding roles, escalating roles, client certificates
 * through CSR approval, and the admission chain and EKS's aws-auth (treated as cluster-admin equivalent, said so).
 */
import { covers } from '../engine/rbac/covers';
import type { PolicyRule } from '../engine/model';
import { allows, allowsSomeName, candidateNamespaces, type Grant, type Match } from './grants';
import { MASTERS, splitSaUsername } from './identity';
import { check, type AccessCheck, type Edge, type Step, type StepFinder } from './step';
import type { Identity } from './types';

const RBAC = 'rbac.authorization.k8s.io';

/**
 * impersonate: a ServiceAccount user name is authorized on `serviceaccounts` in its namespace, any other user on
 * `users`; groups need a user to impersonate as well (the apiserver refuses groups without Impersonate-User).
 */
export const impersonateSteps: StepFinder = ({ grants, u }) => {
  const edges: Edge[] = [];
  const imp = (resource: string, name: string, namespace: string): { m: Match; c: AccessCheck } | undefined => {
    const req = { verb: 'impersonate', apiGroup: '', resource, name };
    const m = allows(grants, req, namespace);
    return m ? { m, c: check(req, namespace) } : undefined;
  };
  let someUser: { m: Match; c: AccessCheck } | undefined;
  for (const ns of candidateNamespaces(grants, u.namespaces, [['', 'serviceaccounts']])) {
    for (const name of u.serviceAccounts.get(ns) ?? []) {
      const hit = imp('serviceaccounts', name, ns);
      if (!hit) continue;
      someUser ??= hit;
      edges.push({ step: { id: 'impersonate', action: `impersonate serviceaccounts ${name}`, namespace: ns, matches: [hit.m], checks: [hit.c] }, target: { kind: 'identity', identity: { kind: 'ServiceAccount', namespace: ns, name } } });
    }
  }
  for (const user of [...u.bindings.users].sort()) {
    if (splitSaUsername(user)) continue;
    const hit = imp('users', user, '');
    if (!hit) continue;
    someUser ??= hit;
    edges.push({ step: { id: 'impersonate', action: `impersonate users ${user}`, namespace: '', matches: [hit.m], checks: [hit.c] }, target: { kind: 'identity', identity: { kind: 'User', name: user } } });
  }
  // A user name nobody is bound as still carries the impersonated groups.
  someUser ??= anyUserToImpersonate(grants);
  if (!someUser) return edges;
  for (const group of [...new Set([...u.bindings.groups, MASTERS])].sort()) {
    const hit = imp('groups', group, '');
    if (!hit) continue;
    const target: Identity = group === MASTERS ? { kind: 'ClusterAdmin' } : { kind: 'Group', name: group };
    edges.push({ step: { id: 'impersonate', action: `impersonate groups ${group}`, namespace: '', matches: [hit.m, someUser.m], checks: [hit.c, someUser.c] }, target: { kind: 'identity', identity: target } });
  }
  return edges;
};

function anyUserToImpersonate(grants: readonly Grant[]): { m: Match; c: AccessCheck } | undefined {
  const m = allowsSomeName(grants, { verb: 'impersonate', apiGroup: '', resource: 'users' }, '');
  if (!m) return undefined;
  const name = m.grant.rules[m.ruleIndex]!.resourceNames?.[0] ?? 'pipeline-rbac-reach';
  return { m, c: check({ verb: 'impersonate', apiGroup: '', resource: 'users', name }, '') };
}

/**
 * bind + create rolebindings in N: every Role of N and ClusterRole it may bind, in N; bind + create
 * clusterrolebindings: every ClusterRole it may bind, cluster-wide. A role whose rules it already holds there
 * gains nothing and is no step.
 */
export const bindSteps: StepFinder = ({ grants, u }) => {
  const edges: Edge[] = [];
  const roles = [...u.bindings.allRoles()];
  const crb = { verb: 'create', apiGroup: RBAC, resource: 'clusterrolebindings' };
  const crbMatch = allows(grants, crb, '');
  const held = heldIn(grants);
  for (const role of roles) {
    if (role.kind !== 'ClusterRole' || !crbMatch || covers(held(''), role.rules).covered) continue;
    const bind = { verb: 'bind', apiGroup: RBAC, resource: 'clusterroles', name: role.name };
    const b = allows(grants, bind, '');
    if (b) edges.push({ step: { id: 'bind', action: `bind clusterroles ${role.name} + create clusterrolebindings`, namespace: '', matches: [b, crbMatch], checks: [check(bind, ''), check(crb, '')] }, target: { kind: 'identity', identity: { kind: 'RoleHolder', roleKind: 'ClusterRole', name: role.name } } });
  }
  for (const ns of candidateNamespaces(grants, u.namespaces, [[RBAC, 'rolebindings']])) {
    const rb = { verb: 'create', apiGroup: RBAC, resource: 'rolebindings' };
    const rbMatch = allows(grants, rb, ns);
    if (!rbMatch) continue;
    for (const role of roles) {
      if ((role.kind === 'Role' && role.namespace !== ns) || covers(held(ns), role.rules).covered) continue;
      const bind = { verb: 'bind', apiGroup: RBAC, resource: role.kind === 'Role' ? 'roles' : 'clusterroles', name: role.name };
      const b = allows(grants, bind, ns);
      if (!b) continue;
      const identity: Identity = { kind: 'RoleHolder', roleKind: role.kind, name: role.name, namespace: ns };
      edges.push({ step: { id: 'bind', action: `bind ${bind.resource} ${role.name} + create rolebindings`, namespace: ns, matches: [b, rbMatch], checks: [check(bind, ns), check(rb, ns)] }, target: { kind: 'identity', identity } });
    }
  }
  return edges;
};

/** The rules an identity holds in a scope, one array per scope (Covers caches its compiled form by array). */
function heldIn(grants: readonly Grant[]): (scope: string) => PolicyRule[] {
  const cache = new Map<string, PolicyRule[]>();
  return (scope) => {
    let rules = cache.get(scope);
    if (!rules) {
      rules = grants.filter((g) => g.scope === '' || g.scope === scope).flatMap((g) => g.rules);
      cache.set(scope, rules);
    }
    return rules;
  };
}

/**
 * escalate + update/patch of a role the identity is bound to: any rule in that binding's scope. escalate + create
 * roles + bind (the new role's name) + create rolebindings: the same through a new role.
 */
export const escalateSteps: StepFinder = ({ grants, u }) => {
  const edges: Edge[] = [];
  const reached = new Set<string>();
  const add = (scope: string, step: Step): void => {
    if (reached.has(scope)) return;
    reached.add(scope);
    edges.push({ step, target: { kind: 'identity', identity: scope === '' ? { kind: 'ClusterAdmin' } : { kind: 'AnythingIn', namespace: scope } } });
  };
  for (const g of grants) {
    if (g.roleName === '*') continue;
    const resource = g.roleKind === 'Role' ? 'roles' : 'clusterroles';
    const roleNs = g.roleKind === 'Role' ? g.scope : '';
    const esc = { verb: 'escalate', apiGroup: RBAC, resource, name: g.roleName };
    const e = allows(grants, esc, roleNs);
    if (!e) continue;
    for (const verb of ['update', 'patch']) {
      const write = { verb, apiGroup: RBAC, resource, name: g.roleName };
      const w = allows(grants, write, roleNs);
      if (!w) continue;
      add(g.scope, { id: 'escalate', action: `escalate + ${verb} ${resource} ${g.roleName}`, namespace: roleNs, matches: [e, w], checks: [check(esc, roleNs), check(write, roleNs)], note: `bound by ${g.binding}` });
      break;
    }
  }
  const viaNew = (scope: string, resource: string, bindingResource: string): void => {
    const esc = { verb: 'escalate', apiGroup: RBAC, resource };
    const create = { verb: 'create', apiGroup: RBAC, resource };
    const createBinding = { verb: 'create', apiGroup: RBAC, resource: bindingResource };
    const e = allowsSomeName(grants, esc, scope);
    const c = allows(grants, create, scope);
    const cb = allows(grants, createBinding, scope);
    const b = allowsSomeName(grants, { verb: 'bind', apiGroup: RBAC, resource }, scope);
    if (!e || !c || !cb || !b) return;
    const name = b.grant.rules[b.ruleIndex]!.resourceNames?.[0] ?? e.grant.rules[e.ruleIndex]!.resourceNames?.[0] ?? '';
    add(scope, { id: 'escalate', action: `escalate + create ${resource} + bind + create ${bindingResource}`, namespace: scope, matches: [e, c, b, cb], checks: [check({ ...esc, name }, scope), check(create, scope), check({ verb: 'bind', apiGroup: RBAC, resource, name }, scope), check(createBinding, scope)] });
  };
  viaNew('', 'clusterroles', 'clusterrolebindings');
  for (const ns of candidateNamespaces(grants, u.namespaces, [[RBAC, 'roles']])) viaNew(ns, 'roles', 'rolebindings');
  return edges;
};

const CSR_GROUP = 'certificates.k8s.io';
const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

/**
 * A client certificate from the kube-apiserver-client signer: create and read the CSR, update its approval and
 * approve on the signer (its name or kubernetes.io/*). The CertificateSubjectRestriction admission plugin (on by
 * default) refuses system:masters for this signer; any other user or group, ServiceAccount names included, is open.
 */
export const csrSteps: StepFinder = ({ grants }) => {
  const create = { verb: 'create', apiGroup: CSR_GROUP, resource: 'certificatesigningrequests' };
  const approval = { verb: 'update', apiGroup: CSR_GROUP, resource: 'certificatesigningrequests', subresource: 'approval' };
  const c = allows(grants, create, '');
  const a = allowsSomeName(grants, approval, '');
  let r: Match | undefined;
  let readVerb = 'get';
  for (const verb of ['get', 'list', 'watch']) {
    r = verb === 'get' ? allowsSomeName(grants, { verb, apiGroup: CSR_GROUP, resource: 'certificatesigningrequests' }, '') : allows(grants, { verb, apiGroup: CSR_GROUP, resource: 'certificatesigningrequests' }, '');
    readVerb = verb;
    if (r) break;
  }
  const signer = (name: string) => ({ verb: 'approve', apiGroup: CSR_GROUP, resource: 'signers', name });
  const s = allows(grants, signer(CLIENT_SIGNER), '') ?? allows(grants, signer('kubernetes.io/*'), '');
  if (!c || !a || !r || !s) return [];
  const step: Step = {
    id: 'csr',
    action: `create + ${readVerb} certificatesigningrequests, update certificatesigningrequests/approval, approve signers ${CLIENT_SIGNER}`,
    namespace: '',
    matches: [c, r, a, s],
    checks: [check(create, ''), check({ verb: readVerb, apiGroup: CSR_GROUP, resource: 'certificatesigningrequests' }, ''), check(approval, ''), check(signer(CLIENT_SIGNER), '')],
    note: 'CertificateSubjectRestriction refuses system:masters for this signer; the controller manager must be configured to sign',
  };
  return [{ step, target: { kind: 'anyone', exceptMasters: true } }];
};

const ADMISSION_GROUP = 'admissionregistration.k8s.io';
const ADMISSION: readonly string[][] = [['mutatingwebhookconfigurations'], ['validatingwebhookconfigurations'], ['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']];

/** Writing the admission chain sees (webhooks) or rewrites (mutating policies) every object: cluster-admin equivalent. */
export const admissionSteps: StepFinder = ({ grants }) => {
  for (const set of ADMISSION) {
    const ms: Match[] = [];
    const cs: AccessCheck[] = [];
    for (const resource of set) {
      const hit = ['create', 'update', 'patch'].map((verb) => ({ verb, m: verb === 'create' ? allows(grants, { verb, apiGroup: ADMISSION_GROUP, resource }, '') : allowsSomeName(grants, { verb, apiGroup: ADMISSION_GROUP, resource }, '') })).find((x) => x.m);
      if (!hit) break;
      ms.push(hit.m!);
      const name = hit.m!.grant.rules[hit.m!.ruleIndex]!.resourceNames?.[0] ?? '';
      cs.push(check({ verb: hit.verb, apiGroup: ADMISSION_GROUP, resource, ...(hit.verb === 'create' ? {} : { name }) }, ''));
    }
    if (ms.length !== set.length) continue;
    const action = cs.map((c) => `${c.verb} ${c.resource}${c.name ? ` ${c.name}` : ''}`).join(' + ');
    return [{ step: { id: 'admission', action, namespace: '', matches: ms, checks: cs, note: 'sees or rewrites every admitted object: treated as cluster-admin equivalent' }, target: { kind: 'identity', identity: { kind: 'ClusterAdmin' } } }];
  }
  return [];
};

/** EKS maps IAM identities to users and groups (system:masters too) from kube-system/aws-auth. */
export const awsAuthSteps: StepFinder = ({ grants }) => {
  for (const verb of ['update', 'patch']) {
    const req = { verb, apiGroup: '', resource: 'configmaps', name: 'aws-auth' };
    const m = allows(grants, req, 'kube-system');
    if (m) return [{ step: { id: 'aws-auth', action: `${verb} configmaps aws-auth`, namespace: 'kube-system', matches: [m], checks: [check(req, 'kube-system')], note: 'on EKS, maps any IAM identity to system:masters: treated as cluster-admin equivalent' }, target: { kind: 'identity', identity: { kind: 'ClusterAdmin' } } }];
  }
  return [];
};
