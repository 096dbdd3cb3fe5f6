/**
 * Issue 14, "every finding true": one minimal fixture per item, through the real analysis (parser, built-in catalog,
 * risk rules), so each message is checked for what it says as well as whether it fires.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeText } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { quickFixes } from '../../server/src/core/engine/fixes/quickFixes';
import type { Finding, RuleId } from '../../server/src/core/engine/model';
import { isHelmTemplate } from '../../server/src/core/engine/yaml/helmTemplate';

const RBAC = 'apiVersion: rbac.authorization.k8s.io/v1';
const role = (rules: string, kind = 'ClusterRole') => `${RBAC}\nkind: ${kind}\nmetadata:\n  name: r\n${kind === 'Role' ? '  namespace: ci\n' : ''}rules:\n${rules}`;
const rule = (groups: string, resources: string, verbs: string, extra = '') => `- apiGroups: [${groups}]\n  resources: [${resources}]\n  verbs: [${verbs}]\n${extra}`;
const binding = (kind: string, ref: string, subjects: string, ns = 'ci') =>
  `${RBAC}\nkind: ${kind}\nmetadata:\n  name: b\n${kind === 'RoleBinding' ? `  namespace: ${ns}\n` : ''}subjects:\n${subjects}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: ${ref}\n`;
const sa = '- kind: ServiceAccount\n  name: pipeline\n  namespace: ci\n';

function analyze(text: string, fileName?: string): Finding[] {
  return analyzeText(text, { catalog: builtinCatalog(), ...(fileName ? { fileName } : {}) }).findings;
}
const of = (fs: Finding[], id: RuleId) => fs.filter((f) => f.ruleId === id);
const at = (text: string, f: Finding) => text.slice(f.span.start, f.span.end);

describe('1. broad-role-binding: cluster-admin through a RoleBinding is the namespace, not the cluster', () => {
  test('RoleBinding: full control of that namespace, still an error', () => {
    const [f] = of(analyze(binding('RoleBinding', 'cluster-admin', sa)), 'broad-role-binding');
    assert.equal(f!.severity, 'error');
    assert.match(f!.message, /in namespace "ci": full control of the namespace: its Secrets, its Roles and RoleBindings, its workloads/);
    assert.doesNotMatch(f!.message, /whole cluster/);
  });
  test('ClusterRoleBinding: superuser access to the whole cluster', () => {
    assert.match(of(analyze(binding('ClusterRoleBinding', 'cluster-admin', sa)), 'broad-role-binding')[0]!.message, /cluster-wide: superuser access to the whole cluster/);
  });
});

describe('2. csr-approve needs update on the approval subresource and approve on signers', () => {
  const approval = rule('"certificates.k8s.io"', '"certificatesigningrequests/approval"', '"update"');
  const signers = (names = '') => rule('"certificates.k8s.io"', '"signers"', '"approve"', names);
  test('both halves in one role: a warning naming the signers', () => {
    const text = role(approval + signers('  resourceNames: ["kubernetes.io/kube-apiserver-client"]\n'));
    const got = of(analyze(text), 'csr-approve');
    assert.deepEqual(got.map((f) => [f.severity, at(text, f)]), [['warning', '"certificatesigningrequests/approval"']]);
    assert.match(got[0]!.message, /with approve on signers kubernetes\.io\/kube-apiserver-client, approves certificate signing requests: kube-apiserver-client certificates for any user or group/);
  });
  test('a custom signer only: approves for that signer, not "any identity"', () => {
    const got = of(analyze(role(approval + signers('  resourceNames: ["example.com/ci"]\n'))), 'csr-approve');
    assert.match(got[0]!.message, /for those signers$/);
  });
  test('one half alone: information naming the missing half', () => {
    const a = of(analyze(role(approval)), 'csr-approve');
    assert.deepEqual(a.map((f) => f.severity), ['information']);
    assert.match(a[0]!.message, /also requires approve on signers/);
    const s = of(analyze(role(signers())), 'csr-approve');
    assert.deepEqual(s.map((f) => f.severity), ['information']);
    assert.match(s[0]!.message, /also requires update or patch on certificatesigningrequests\/approval/);
  });
  test('approve on */* alone (a wildcard resource): nothing from csr-approve', () => {
    assert.deepEqual(of(analyze(role(rule('"*"', '"*"', '"approve"'))), 'csr-approve'), []);
  });
});

describe('3. nodes-proxy: get and create reach exec; other verbs do not', () => {
  for (const verb of ['get', 'create']) {
    test(`${verb}: warning, exec named`, () => {
      const [f] = of(analyze(role(rule('""', '"nodes/proxy"', `"${verb}"`))), 'nodes-proxy');
      assert.equal(f!.severity, 'warning');
      assert.match(f!.message, /exec, attach, port-forward and run in every pod of the node/);
    });
  }
  test('update: information that says what PUT does and that exec needs get or create', () => {
    const [f] = of(analyze(role(rule('""', '"nodes/proxy"', '"update"'))), 'nodes-proxy');
    assert.equal(f!.severity, 'information');
    assert.match(f!.message, /PUT \/debug\/flags\/v/);
    assert.match(f!.message, /take only get and create/);
    assert.doesNotMatch(f!.message, /exec in every pod/);
  });
  test('approve or list on nodes/proxy: unknown-verb, not nodes-proxy', () => {
    for (const verb of ['approve', 'list']) {
      const fs = analyze(role(rule('""', '"nodes/proxy"', `"${verb}"`)));
      assert.deepEqual(of(fs, 'nodes-proxy'), [], verb);
      assert.equal(of(fs, 'unknown-verb').length, 1, verb);
    }
  });
  test('get plus update: one warning for the item, not two findings', () => {
    assert.deepEqual(of(analyze(role(rule('""', '"nodes/proxy"', '"get", "update"'))), 'nodes-proxy').map((f) => f.severity), ['warning']);
  });
});

describe('4. <resource>/finalizers is a real authorization target', () => {
  test('pods/finalizers, namespaces/finalizers and a CRD-less group resource: no unknown-resource', () => {
    const text = role(rule('""', '"pods/finalizers", "namespaces/finalizers"', '"update"') + rule('"apps"', '"statefulsets/finalizers"', '"update"'));
    assert.deepEqual(of(analyze(text), 'unknown-resource'), []);
  });
  test('verbs other than update on finalizers only: information, they grant nothing', () => {
    const fs = of(analyze(role(rule('"apps"', '"statefulsets/finalizers"', '"get", "update"'))), 'unknown-verb');
    assert.deepEqual(fs.map((f) => [f.severity, f.data?.value]), [['information', 'get']]);
    assert.match(fs[0]!.message, /checks only update on <resource>\/finalizers/);
  });
  test('a finalizers subresource of a resource that does not exist is still unknown', () => {
    assert.equal(of(analyze(role(rule('""', '"podz/finalizers"', '"update"'))), 'unknown-resource').length, 1);
  });
});

describe('5. official add-on API groups', () => {
  for (const [group, res] of [['metrics.k8s.io', 'pods'], ['gateway.networking.k8s.io', 'httproutes'], ['snapshot.storage.k8s.io', 'volumesnapshots'], ['custom.metrics.k8s.io', 'pods/http_requests'], ['external.metrics.k8s.io', 'queue_depth']] as const) {
    test(`${group}: information, no "did you mean"`, () => {
      const fs = analyze(role(rule(`"${group}"`, `"${res}"`, '"get", "list", "watch"')));
      const g = of(fs, 'unknown-api-group');
      assert.deepEqual(g.map((f) => f.severity), ['information']);
      assert.match(g[0]!.message, /official add-on API .*not built into Kubernetes/);
      assert.doesNotMatch(g[0]!.message, /Did you mean|is not a Kubernetes API group/);
      assert.deepEqual(fs.filter((f) => f.severity === 'warning' || f.severity === 'error').map((f) => f.message), []);
    });
  }
  test('a resource the add-on list lacks: information at most', () => {
    const fs = of(analyze(role(rule('"gateway.networking.k8s.io"', '"meshes"', '"get"'))), 'unknown-resource');
    assert.deepEqual(fs.map((f) => f.severity), ['information']);
  });
  test('the catalog marks them; live discovery does not know them', () => {
    assert.match(builtinCatalog().addOnOf('metrics.k8s.io') ?? '', /metrics-server/);
    assert.equal(builtinCatalog().addOnOf('apps'), undefined);
  });
});

describe('6. secrets-read on named Secrets is information', () => {
  test('resourceNames: information that names them', () => {
    const [f] = of(analyze(role(rule('""', '"secrets"', '"get"', '  resourceNames: ["registry-creds"]\n'), 'Role')), 'secrets-read');
    assert.equal(f!.severity, 'information');
    assert.match(f!.message, /reveals the contents of those Secrets only; limited to resourceNames registry-creds/);
  });
  test('the quick fix "restrict to named objects" yields information only', () => {
    const text = role(rule('""', '"secrets"', '"get"'), 'Role');
    const result = analyzeText(text, { catalog: builtinCatalog() });
    const finding = of(result.findings, 'secrets-read')[0]!;
    assert.equal(finding.severity, 'warning');
    const fix = quickFixes(text, finding, result.objects[0]).find((x) => x.title.startsWith('Restrict'))!;
    const edited = [...fix.edits].sort((a, b) => b.span.start - a.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
    assert.deepEqual(of(analyze(edited), 'secrets-read').map((f) => f.severity), ['information']);
  });
});

describe('7. an unknown kind in rbac.authorization.k8s.io is an error', () => {
  const text = `${RBAC}\nkind: ClusterRolebinding\nmetadata:\n  name: anon\nsubjects:\n- kind: User\n  name: system:anonymous\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\n`;
  test('error on the kind with "did you mean"', () => {
    const fs = analyze(text);
    assert.equal(fs.length, 1);
    assert.equal(fs[0]!.severity, 'error');
    assert.equal(at(text, fs[0]!), 'ClusterRolebinding');
    assert.match(fs[0]!.message, /Did you mean "ClusterRoleBinding"\?/);
    assert.deepEqual(fs[0]!.data?.replacement, ['ClusterRoleBinding']);
  });
  test('the same through the incremental parser (language server)', async () => {
    const { ParseCache } = await import('../../server/src/core/engine/yaml/parseCache');
    const r = analyzeText(text, { catalog: builtinCatalog(), parseCache: new ParseCache() });
    assert.deepEqual(r.findings.map((f) => f.ruleId), ['schema']);
  });
  test('List kinds of the group and other groups\' kinds are fine', () => {
    assert.deepEqual(analyze(`${RBAC}\nkind: RoleList\nitems: []\n`), []);
    assert.deepEqual(analyze('apiVersion: example.com/v1\nkind: ClusterRolebinding\nmetadata:\n  name: x\n'), []);
  });
});

describe('8. special verbs only on the resources that have them', () => {
  const cases: [string, string, string, RegExp][] = [
    ['"rbac.authorization.k8s.io"', '"rolebindings"', 'bind', /applies only to roles, clusterroles/],
    ['"rbac.authorization.k8s.io"', '"clusterrolebindings"', 'escalate', /applies only to roles, clusterroles/],
    ['""', '"secrets"', 'impersonate', /applies only to users, groups, serviceaccounts \(core\); uids, userextras/],
    ['""', '"pods"', 'approve', /applies only to signers \(certificates\.k8s\.io\)/],
  ];
  for (const [g, r, verb, where] of cases) {
    test(`${verb} on ${r}: unknown-verb saying where it applies`, () => {
      const fs = of(analyze(role(rule(g, r, `"${verb}"`))), 'unknown-verb');
      assert.equal(fs.length, 1);
      assert.equal(fs[0]!.severity, 'warning');
      assert.match(fs[0]!.message, where);
    });
  }
  test('on their own resources they are fine', () => {
    const text = role(rule('"rbac.authorization.k8s.io"', '"roles"', '"bind", "escalate"') + rule('""', '"users"', '"impersonate"') + rule('"certificates.k8s.io"', '"signers"', '"approve", "sign", "attest"'));
    assert.deepEqual(of(analyze(text), 'unknown-verb'), []);
  });
});

describe('9. a rule granting everything is one finding', () => {
  test('*/*/* in a ClusterRole: one error, listing what it includes', () => {
    const fs = analyze(role(rule('"*"', '"*"', '"*"')));
    assert.deepEqual(fs.map((f) => f.ruleId), ['wildcard']);
    assert.equal(fs[0]!.severity, 'error');
    assert.match(fs[0]!.message, /cluster-admin wherever it is bound \(every Secret, exec, nodes\/proxy, escalate, bind, impersonate/);
    assert.ok(fs[0]!.data?.includes?.includes('secrets-read'));
  });
  test('in a Role: the namespace, not the cluster', () => {
    const fs = analyze(role(rule('"*"', '"*"', '"*"'), 'Role'));
    assert.deepEqual(fs.map((f) => f.ruleId), ['wildcard']);
    assert.match(fs[0]!.message, /full control of the Role's namespace/);
  });
});

describe('10. verbs "*" names only verbs meaningful for the resources', () => {
  test('on secrets: no escalate, bind or impersonate', () => {
    const [f] = of(analyze(role(rule('""', '"secrets"', '"*"'), 'Role')), 'wildcard');
    assert.doesNotMatch(f!.message, /escalate|bind|impersonate/);
  });
  test('on roles: escalate and bind; on serviceaccounts: impersonate', () => {
    assert.match(of(analyze(role(rule('"rbac.authorization.k8s.io"', '"roles"', '"*"'))), 'wildcard')[0]!.message, /including bind, escalate/);
    assert.match(of(analyze(role(rule('""', '"serviceaccounts"', '"*"'))), 'wildcard')[0]!.message, /including impersonate/);
  });
});

describe('11. resourceNames "*" is a literal name', () => {
  test('a warning on the item, and risk messages do not call it a restriction without saying so', () => {
    const text = role(rule('"rbac.authorization.k8s.io"', '"clusterroles"', '"bind"', '  resourceNames: ["*"]\n'));
    const fs = analyze(text);
    const w = of(fs, 'wildcard');
    assert.deepEqual(w.map((f) => [f.severity, at(text, f)]), [['warning', '"*"']]);
    assert.match(w[0]!.message, /not a wildcard: RBAC matches names literally, so this rule only reaches an object named "\*"/);
    assert.match(of(fs, 'bind-verb')[0]!.message, /"\*" is a literal name, not a wildcard/);
  });
});

describe('12. cluster-scope advice only when a RoleBinding would work', () => {
  const crb = binding('ClusterRoleBinding', 'r', sa);
  test('a ClusterRole with cluster-scoped resources: no "use a RoleBinding"', () => {
    const [f] = of(analyze(`${role(rule('""', '"nodes", "pods"', '"get"'))}---\n${crb}`), 'cluster-scope');
    assert.match(f!.message, /some of its grants \(nodes\) are cluster-scoped or non-resource URLs, which only a ClusterRoleBinding can grant/);
    assert.doesNotMatch(f!.message, /use a RoleBinding/);
  });
  test('non-resource URLs also need the ClusterRoleBinding', () => {
    const [f] = of(analyze(`${role('- nonResourceURLs: ["/metrics"]\n  verbs: ["get"]\n')}---\n${crb}`), 'cluster-scope');
    assert.match(f!.message, /\(\/metrics\)/);
  });
  test('a namespaced-only ClusterRole: use a RoleBinding', () => {
    const [f] = of(analyze(`${role(rule('""', '"pods"', '"get"'))}---\n${crb}`), 'cluster-scope');
    assert.match(f!.message, /its rules are all namespaced: use a RoleBinding/);
  });
  test('an unknown role: the advice is conditional', () => {
    assert.match(of(analyze(crb), 'cluster-scope')[0]!.message, /if the role needs only namespaced resources/);
  });
});

describe('new rules', () => {
  test('binding-write: create/update/patch on (cluster)rolebindings, not get', () => {
    const [f] = of(analyze(role(rule('"rbac.authorization.k8s.io"', '"rolebindings"', '"get", "patch"'), 'Role')), 'binding-write');
    assert.equal(f!.severity, 'warning');
    assert.match(f!.message, /^patch on rolebindings/);
    assert.deepEqual(of(analyze(role(rule('"rbac.authorization.k8s.io"', '"clusterrolebindings"', '"get", "list"'))), 'binding-write'), []);
  });
  test('secrets-write: update/patch/delete on secrets; create stays token-create; named: information', () => {
    const fs = analyze(role(rule('""', '"secrets"', '"create", "delete"'), 'Role'));
    assert.match(of(fs, 'secrets-write')[0]!.message, /^delete on secrets/);
    assert.equal(of(fs, 'token-create').length, 1);
    assert.deepEqual(of(analyze(role(rule('""', '"secrets"', '"update"', '  resourceNames: ["tls"]\n'), 'Role')), 'secrets-write').map((f) => f.severity), ['information']);
  });
  test('quick fixes for the new rules: drop the risky verbs, or name the Secrets', () => {
    const text = role(rule('""', '"secrets"', '"get", "update", "delete"'), 'Role');
    const result = analyzeText(text, { catalog: builtinCatalog() });
    const titles = quickFixes(text, of(result.findings, 'secrets-write')[0]!, result.objects[0]).map((x) => x.title);
    assert.ok(titles.includes('Remove "update", "delete" from verbs'), titles.join(' | '));
    assert.ok(titles.includes('Restrict to named objects (add resourceNames)'), titles.join(' | '));
  });
  test('network-policy-modify: create, delete... on networking.k8s.io networkpolicies only', () => {
    assert.equal(of(analyze(role(rule('"networking.k8s.io"', '"networkpolicies"', '"deletecollection"'), 'Role')), 'network-policy-modify').length, 1);
    assert.deepEqual(of(analyze(role(rule('"networking.k8s.io"', '"networkpolicies"', '"get", "list"'), 'Role')), 'network-policy-modify'), []);
    assert.deepEqual(of(analyze(role(rule('"networking.k8s.io"', '"ingresses"', '"create"'), 'Role')), 'network-policy-modify'), []);
  });
  test('masters-subject: the group system:masters, not a look-alike', () => {
    const group = (n: string) => `- kind: Group\n  name: ${n}\n  apiGroup: rbac.authorization.k8s.io\n`;
    const [f] = of(analyze(binding('RoleBinding', 'view', group('system:masters'))), 'masters-subject');
    assert.equal(f!.severity, 'warning');
    assert.match(f!.message, /bypass RBAC entirely/);
    assert.deepEqual(of(analyze(binding('RoleBinding', 'view', group('system:masters2'))), 'masters-subject'), []);
  });
});

describe('raw Helm templates', () => {
  const tpl = `{{- if .Values.rbac.create }}\n${RBAC}\nkind: Role\nmetadata:\n  name: {{ include "x.fullname" . }}\nrules:\n{{- range .Values.rules }}\n  - apiGroups: {{ toYaml .apiGroups | nindent 6 }}\n{{- end }}\n{{- end }}\n`;
  test('one information finding, never yaml-syntax', () => {
    const fs = analyze(tpl);
    assert.deepEqual(fs.map((f) => [f.ruleId, f.severity]), [['helm-template', 'information']]);
    assert.match(fs[0]!.message, /helm template .* pipeline-rbac check/);
  });
  test('recognition: Helm actions anywhere; any {{ }} only under templates/; GitHub ${{ }} never', () => {
    assert.equal(isHelmTemplate(tpl), true);
    const plain = `${RBAC}\nkind: Role\nmetadata:\n  name: x\n  annotations:\n    note: "{{ not a template }}"\n`;
    assert.equal(isHelmTemplate(plain), false);
    assert.equal(isHelmTemplate(plain, '/repo/chart/templates/role.yaml'), true);
    assert.equal(isHelmTemplate('run: echo ${{ secrets.TOKEN }}\n', '/repo/.github/templates/ci.yaml'), false);
    assert.equal(isHelmTemplate(`${RBAC}\nkind: Role\n`), false);
  });
});
