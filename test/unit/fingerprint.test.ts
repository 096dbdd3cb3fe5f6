/**
 * Baseline fingerprints (engine/findingKey.ts + shared/fingerprint.ts): the same finding keeps its fingerprint when
 * the file is re-indented, rules are reordered or something unrelated is edited above it, and gets a new one when the
 * grant, the object or the rule changes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeText } from '../../server/src/core/engine/analyze';
import { builtinCatalog } from '../../server/src/core/engine/catalog/apiCatalog';
import { withFingerprintKeys } from '../../server/src/core/engine/findingKey';
import { fingerprints } from '../../server/src/core/shared/fingerprint';

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci-deployer
  namespace: team-a
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
`;

/** rule id -> fingerprint of each finding (one finding per rule id in these texts). */
function prints(text: string, path = 'rbac/role.yaml'): Map<string, string> {
  const r = analyzeText(text, { catalog: builtinCatalog() });
  const keyed = withFingerprintKeys(r.findings, r.objects, text);
  const fps = fingerprints(path, keyed);
  const out = new Map<string, string>();
  keyed.forEach((f, i) => {
    assert.ok(!out.has(f.ruleId), `one ${f.ruleId} finding expected`);
    out.set(f.ruleId, fps[i]!);
  });
  return out;
}

describe('finding fingerprints', () => {
  const before = prints(ROLE);

  test('the role has the findings the cases below compare', () => {
    assert.deepEqual([...before.keys()].sort(), ['secrets-read', 'wildcard', 'workload-create']);
    for (const fp of before.values()) assert.match(fp, /^[0-9a-f]{32}$/);
  });

  test('survive re-indentation (4 spaces, flow lists written as block lists, other quoting)', () => {
    const reindented = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
    name: ci-deployer
    namespace: team-a
rules:
-   apiGroups:
    - apps
    resources:
    - deployments
    verbs: ['*']
-   apiGroups: ['']
    resources: [secrets]
    verbs:
    - get
    - list
`;
    assert.deepEqual(prints(reindented), before);
  });

  test('survive edits elsewhere: a comment, a label, a new rule above, the rules reordered, the verbs reordered', () => {
    const edited = `# the deploy role of the web pipeline
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci-deployer
  namespace: team-a
  labels: {team: web}
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["list", "get"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
`;
    assert.deepEqual(prints(edited), before);
  });

  test('change when the grant changes', () => {
    const wider = ROLE.replace('resources: ["secrets"]', 'resources: ["secrets", "configmaps"]');
    const after = prints(wider);
    assert.notEqual(after.get('secrets-read'), before.get('secrets-read'));
    assert.equal(after.get('wildcard'), before.get('wildcard'));
    const moreVerbs = prints(ROLE.replace('verbs: ["get", "list"]', 'verbs: ["get", "list", "watch"]'));
    assert.notEqual(moreVerbs.get('secrets-read'), before.get('secrets-read'));
  });

  test('change with the object (name, namespace) and the file', () => {
    assert.notEqual(prints(ROLE.replace('name: ci-deployer', 'name: ci-other')).get('wildcard'), before.get('wildcard'));
    assert.notEqual(prints(ROLE.replace('namespace: team-a', 'namespace: team-b')).get('wildcard'), before.get('wildcard'));
    assert.notEqual(prints(ROLE, 'rbac/other.yaml').get('wildcard'), before.get('wildcard'));
  });

  test('two identical grants in one file are two fingerprints, and adding a third keeps the first two', () => {
    const rule = `  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["get"]\n`;
    const doc = (n: number) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n${rule.repeat(n)}`;
    const all = (text: string) => {
      const r = analyzeText(text, { catalog: builtinCatalog() });
      const keyed = withFingerprintKeys(r.findings, r.objects, text).filter((f) => f.ruleId === 'secrets-read');
      return fingerprints('x.yaml', keyed);
    };
    const two = all(doc(2));
    assert.equal(new Set(two).size, 2);
    const three = all(doc(3));
    assert.deepEqual(three.slice(0, 2), two);
  });
});
