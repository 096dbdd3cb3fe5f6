/** not-held / binding-not-held: the apiserver's order (superuser, escalate/bind, covers), unknown data, placement. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PolicyRule } from '../../server/src/core/engine/model';
import { breakdownRule } from '../../server/src/core/engine/rbac/covers';
import { accessKey, bindAccessKey, escalateAccessKey, type HeldPermissions } from '../../server/src/core/engine/rbac/heldPermissions';
import { bindingVerdict, notHeldFindings, roleVerdict, type NotHeldContext } from '../../server/src/core/engine/rbac/notHeld';
import { objectFromYaml, roleYaml, textAt } from './helpers/objects';

const podsRead: PolicyRule = { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] };
const deployAll: PolicyRule = { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'] };
const user = { username: 'dev', groups: ['developers', 'system:authenticated'] };

function held(rules: PolicyRule[], extra: Partial<HeldPermissions> = {}, clusterRules: PolicyRule[] = []): HeldPermissions {
  return {
    source: 'file: held.yaml',
    user,
    namespaces: { ci: { rules: [...clusterRules, ...rules], incomplete: false }, '': { rules: clusterRules, incomplete: false } },
    ...extra,
  };
}

const noRoles: NotHeldContext = { defaultNamespace: 'ci', resolveRole: () => undefined };

const secretsRule = '- apiGroups: [""]\n  resources: ["pods", "secrets"]\n  verbs: ["get"]\n';
const deployRule = '- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["get", "create", "patch"]\n';

describe('Role/ClusterRole escalation check', () => {
  test('denied: one finding per rule with missing atoms, on the distinguishing item, with the apiserver message', () => {
    const text = roleYaml('- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["get", "list"]\n' + secretsRule);
    const findings = notHeldFindings(objectFromYaml(text), held([podsRead, deployAll]), noRoles);
    assert.equal(findings.length, 1);
    const f = findings[0]!;
    assert.equal(f.ruleId, 'not-held');
    assert.equal(f.severity, 'error');
    assert.equal(textAt(text, f.span), 'secrets');
    assert.deepEqual(f.data?.missing, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    assert.equal(f.data?.ruleIndex, 1);
    assert.equal(
      f.message,
      'the apiserver will reject this: user "dev" (groups=["developers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held: {APIGroups:[""], Resources:["secrets"], Verbs:["get"]} (held rules: file: held.yaml)',
    );
  });

  test('the verdict carries the exact Forbidden text and every missing atom', () => {
    const obj = objectFromYaml(roleYaml(secretsRule + '- apiGroups: ["batch"]\n  resources: ["jobs"]\n  verbs: ["create", "delete"]\n'));
    const v = roleVerdict(obj, held([podsRead]), 'ci');
    assert.equal(v.status, 'denied');
    assert.ok(v.status === 'denied');
    assert.equal(v.missing.flatMap(breakdownRule).length, 3);
    assert.equal(
      v.message,
      'roles.rbac.authorization.k8s.io "deployer" is forbidden: user "dev" (groups=["developers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}\n{APIGroups:["batch"], Resources:["jobs"], Verbs:["create" "delete"]}',
    );
  });

  test('a missing verb goes on the verb item; a whole-rule miss on the rule', () => {
    const text = roleYaml(deployRule + '- apiGroups: ["batch"]\n  resources: ["jobs"]\n  verbs: ["create"]\n');
    const findings = notHeldFindings(objectFromYaml(text), held([{ verbs: ['get', 'patch'], apiGroups: ['apps'], resources: ['deployments'] }]), noRoles);
    assert.equal(findings.length, 2);
    assert.equal(textAt(text, findings[0]!.span), 'create');
    assert.deepEqual([findings[0]!.data?.field, findings[0]!.data?.value], ['verbs', 'create']);
    assert.ok(textAt(text, findings[1]!.span).startsWith('apiGroups: ["batch"]'));
  });

  test('covered: nothing', () => {
    const text = roleYaml(deployRule);
    assert.deepEqual(notHeldFindings(objectFromYaml(text), held([deployAll]), noRoles), []);
  });

  test('superuser (system:masters) skips everything', () => {
    const obj = objectFromYaml(roleYaml(secretsRule));
    assert.deepEqual(roleVerdict(obj, held([], { superuser: true }), 'ci'), { status: 'allowed', reason: 'superuser' });
    assert.deepEqual(notHeldFindings(obj, held([], { superuser: true }), noRoles), []);
  });

  test('escalate allowed by SelfSubjectAccessReview comes before covers', () => {
    const obj = objectFromYaml(roleYaml(secretsRule));
    const h = held([], { access: { [escalateAccessKey('Role', 'ci')]: true } });
    assert.deepEqual(roleVerdict(obj, h, 'ci'), { status: 'allowed', reason: 'escalate' });
    // Granted for another namespace only: still checked.
    const other = held([], { access: { [escalateAccessKey('Role', 'prod')]: true } });
    assert.equal(roleVerdict(obj, other, 'ci').status, 'denied');
    // An explicit "no" falls through to covers.
    const no = held([podsRead], { access: { [escalateAccessKey('Role', 'ci')]: false } });
    assert.equal(roleVerdict(obj, no, 'ci').status, 'denied');
  });

  test('escalate held through RBAC rules counts too, but not when limited by resourceNames (create has no name)', () => {
    const obj = objectFromYaml(roleYaml(secretsRule));
    const escalate: PolicyRule = { verbs: ['escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] };
    assert.deepEqual(roleVerdict(obj, held([escalate]), 'ci'), { status: 'allowed', reason: 'escalate' });
    assert.equal(roleVerdict(obj, held([{ ...escalate, resourceNames: ['deployer'] }]), 'ci').status, 'denied');
    // escalate on roles does not cover a ClusterRole
    const cr = objectFromYaml(roleYaml(secretsRule, 'ClusterRole'));
    assert.equal(roleVerdict(cr, held([], {}, [escalate]), 'ci').status, 'denied');
  });

  test('incomplete data: a hint, never an error', () => {
    const obj = objectFromYaml(roleYaml(secretsRule));
    const h: HeldPermissions = { source: 'live: context eks', namespaces: { ci: { rules: [podsRead], incomplete: true } } };
    const v = roleVerdict(obj, h, 'ci');
    assert.equal(v.status, 'unknown');
    const findings = notHeldFindings(obj, h, noRoles);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.severity, 'hint');
    assert.ok(findings[0]!.message.includes('incomplete'));
    // Incomplete but covered: nothing.
    assert.deepEqual(notHeldFindings(objectFromYaml(roleYaml('- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["get"]\n')), h, noRoles), []);
  });

  test('no data for the namespace: unknown, no finding', () => {
    const obj = objectFromYaml(roleYaml(secretsRule));
    const h: HeldPermissions = { source: 'live', namespaces: { other: { rules: [], incomplete: false } } };
    assert.equal(roleVerdict(obj, h, 'ci').status, 'unknown');
    assert.deepEqual(notHeldFindings(obj, h, noRoles), []);
  });

  test('a ClusterRole is checked against cluster-wide rules only', () => {
    const obj = objectFromYaml(roleYaml(secretsRule, 'ClusterRole'));
    // Namespace rules hold it, cluster-wide ones do not.
    assert.equal(roleVerdict(obj, held([{ verbs: ['get'], apiGroups: [''], resources: ['*'] }]), 'ci').status, 'denied');
    assert.equal(roleVerdict(obj, held([], {}, [{ verbs: ['get'], apiGroups: [''], resources: ['*'] }]), 'ci').status, 'allowed');
  });

  test('a Role without namespace uses the default namespace', () => {
    const text = roleYaml(secretsRule).replace('  namespace: ci\n', '');
    const h: HeldPermissions = { source: 's', namespaces: { team: { rules: [{ verbs: ['get'], apiGroups: [''], resources: ['*'] }], incomplete: false } } };
    assert.deepEqual(notHeldFindings(objectFromYaml(text), h, { defaultNamespace: 'team', resolveRole: () => undefined }), []);
    assert.equal(notHeldFindings(objectFromYaml(text), h, { defaultNamespace: 'ci', resolveRole: () => undefined }).length, 0, 'no data for ci: unknown');
  });

  test('aggregationRule needs full authority', () => {
    const text = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: agg\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels:\n      a: "b"\nrules: []\n';
    const readAll: PolicyRule = { verbs: ['get', 'list'], apiGroups: ['*'], resources: ['*'] };
    const findings = notHeldFindings(objectFromYaml(text), held([], {}, [readAll]), noRoles);
    assert.equal(findings.length, 1);
    assert.ok(findings[0]!.message.includes('must have cluster-admin privileges to use the aggregationRule'));
    assert.deepEqual(findings[0]!.data?.missing, [
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      { verbs: ['*'], nonResourceURLs: ['*'] },
    ]);
    assert.ok(textAt(text, findings[0]!.span).startsWith('clusterRoleSelectors'));
    // `*` on everything includes `escalate` on clusterroles: the apiserver skips both checks (so with RBAC alone,
    // reaching the aggregation check means failing it).
    const star = held([], {}, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    assert.deepEqual(notHeldFindings(objectFromYaml(text), star, noRoles), []);
  });
});

describe('RoleBinding/ClusterRoleBinding escalation check', () => {
  const bindingText = (kind: 'RoleBinding' | 'ClusterRoleBinding', refKind: string, refName: string) =>
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: b\n${kind === 'RoleBinding' ? '  namespace: ci\n' : ''}subjects:\n- kind: ServiceAccount\n  name: pipeline\n  namespace: ci\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ${refKind}\n  name: ${refName}\n`;
  const roles: Record<string, PolicyRule[]> = { 'Role/ci/deployer': [podsRead, { verbs: ['get'], apiGroups: [''], resources: ['secrets'] }], 'ClusterRole//view': [podsRead] };
  const ctx: NotHeldContext = { defaultNamespace: 'ci', resolveRole: (kind, name, ns) => roles[kind === 'Role' ? `Role/${ns}/${name}` : `ClusterRole//${name}`] };

  test('denied when the role\'s rules are not held: on roleRef.name', () => {
    const text = bindingText('RoleBinding', 'Role', 'deployer');
    const findings = notHeldFindings(objectFromYaml(text), held([podsRead]), ctx);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.ruleId, 'binding-not-held');
    assert.equal(findings[0]!.severity, 'error');
    assert.equal(textAt(text, findings[0]!.span), 'deployer');
    assert.deepEqual(findings[0]!.data?.missing, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    assert.ok(findings[0]!.message.includes('bind on roles "deployer"'));
  });
  test('allowed when covered, or with bind (SSAR or RBAC rules), or as superuser', () => {
    const obj = objectFromYaml(bindingText('RoleBinding', 'Role', 'deployer'));
    assert.deepEqual(bindingVerdict(obj, held([podsRead, { verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]), ctx), { status: 'allowed', reason: 'covered' });
    assert.deepEqual(bindingVerdict(obj, held([], { access: { [bindAccessKey('Role', 'ci', 'deployer')]: true } }), ctx), { status: 'allowed', reason: 'bind' });
    const bindRule: PolicyRule = { verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], resourceNames: ['deployer'] };
    assert.deepEqual(bindingVerdict(obj, held([bindRule]), ctx), { status: 'allowed', reason: 'bind' });
    assert.equal(bindingVerdict(obj, held([{ ...bindRule, resourceNames: ['other'] }]), ctx).status, 'denied');
    assert.deepEqual(bindingVerdict(obj, held([], { superuser: true }), ctx), { status: 'allowed', reason: 'superuser' });
  });
  test('escalate does not bypass the binding check', () => {
    const obj = objectFromYaml(bindingText('RoleBinding', 'Role', 'deployer'));
    const h = held([{ verbs: ['escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }], { access: { [accessKey('escalate', 'roles', 'ci', '')]: true } });
    assert.equal(bindingVerdict(obj, h, ctx).status, 'denied');
  });
  test('a ClusterRoleBinding is checked cluster-wide; a RoleBinding of a ClusterRole in its namespace', () => {
    const crb = objectFromYaml(bindingText('ClusterRoleBinding', 'ClusterRole', 'view'));
    assert.equal(bindingVerdict(crb, held([podsRead]), ctx).status, 'denied');
    assert.equal(bindingVerdict(crb, held([], {}, [podsRead]), ctx).status, 'allowed');
    const rb = objectFromYaml(bindingText('RoleBinding', 'ClusterRole', 'view'));
    assert.equal(bindingVerdict(rb, held([podsRead]), ctx).status, 'allowed');
  });
  test('an unknown role: information, not an error', () => {
    const text = bindingText('RoleBinding', 'ClusterRole', 'mystery');
    const findings = notHeldFindings(objectFromYaml(text), held([podsRead]), ctx);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.severity, 'information');
    assert.equal(textAt(text, findings[0]!.span), 'mystery');
  });
  test('incomplete data: a hint', () => {
    const h: HeldPermissions = { source: 'live', namespaces: { ci: { rules: [podsRead], incomplete: true } } };
    const findings = notHeldFindings(objectFromYaml(bindingText('RoleBinding', 'Role', 'deployer')), h, ctx);
    assert.deepEqual(findings.map((f) => f.severity), ['hint']);
  });
});
