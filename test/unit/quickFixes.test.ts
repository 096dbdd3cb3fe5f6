import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SpanEdit } from '../../server/src/core/engine/fixes/textEdit';
import { quickFixes } from '../../server/src/core/engine/fixes/quickFixes';
import type { Finding } from '../../server/src/core/engine/model';
import { riskFindings } from '../../server/src/core/engine/rules/risks';
import { parseRbacFile } from '../../server/src/core/engine/yaml/parse';

function apply(text: string, edits: SpanEdit[]): string {
  return [...edits].sort((a, b) => b.span.start - a.span.start).reduce((t, e) => t.slice(0, e.span.start) + e.newText + t.slice(e.span.end), text);
}

function fixesFor(text: string, pick: (f: Finding) => boolean) {
  const obj = parseRbacFile(text).objects[0]!;
  const finding = riskFindings(obj).find(pick);
  assert.ok(finding, 'the finding exists');
  return { finding, fixes: quickFixes(text, finding, obj) };
}

const FLOW = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: team-a}
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list", "create"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["*"]
`;

const BLOCK = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
- apiGroups:
  - ""
  resources:
  - secrets
  verbs:
  - get
  - create
`;

describe('quick fixes', () => {
  it('replaces a wildcard verb with explicit verbs (flow list), and the result is valid and wildcard-free', () => {
    const { fixes } = fixesFor(FLOW, (f) => f.ruleId === 'wildcard');
    const replace = fixes.find((f) => f.title.startsWith('Replace "*"'))!;
    assert.ok(replace.preferred);
    const out = apply(FLOW, replace.edits);
    assert.match(out, /verbs: \["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"\]/);
    const after = riskFindings(parseRbacFile(out).objects[0]!);
    assert.equal(after.filter((f) => f.ruleId === 'wildcard').length, 0);
  });

  it('removes exactly the verbs that make a resource risky (secrets: get, list), keeping the list valid', () => {
    const { fixes } = fixesFor(FLOW, (f) => f.ruleId === 'secrets-read');
    const out = apply(FLOW, fixes.find((f) => f.title === 'Remove "get", "list" from verbs')!.edits);
    assert.match(out, /verbs: \["create"\]\n/);
    assert.equal(riskFindings(parseRbacFile(out).objects[0]!).filter((f) => f.ruleId === 'secrets-read').length, 0);
  });

  it('removes trailing items of a flow list without leaving a dangling comma', () => {
    const text = FLOW.replace('["get", "list", "create"]', '["create", "get", "watch"]');
    const { fixes } = fixesFor(text, (f) => f.ruleId === 'secrets-read');
    const out = apply(text, fixes.find((f) => f.title === 'Remove "get", "watch" from verbs')!.edits);
    assert.match(out, /verbs: \["create"\]\n/);
  });

  it('removes a risky verb from a block list by dropping its line', () => {
    const { fixes } = fixesFor(BLOCK, (f) => f.ruleId === 'secrets-read');
    const out = apply(BLOCK, fixes.find((f) => f.title === 'Remove "get" from verbs')!.edits);
    assert.equal(riskFindings(parseRbacFile(out).objects[0]!).filter((f) => f.ruleId === 'secrets-read').length, 0);
    assert.ok(out.endsWith('  verbs:\n  - create\n'), out);
    assert.equal(parseRbacFile(out).findings.length, 0);
  });

  it('offers resourceNames only where names can restrict the verbs', () => {
    const getOnly = FLOW.replace('["get", "list", "create"]', '["get"]');
    const { fixes } = fixesFor(getOnly, (f) => f.ruleId === 'secrets-read');
    const add = fixes.find((f) => f.title.startsWith('Restrict to named objects'))!;
    const out = apply(getOnly, add.edits);
    assert.match(out, /    resources: \["secrets"\]\n    resourceNames: \["NAME"\]\n    verbs: \["get"\]/);
    const withList = fixesFor(FLOW, (f) => f.ruleId === 'secrets-read');
    assert.equal(withList.fixes.some((f) => f.title.startsWith('Restrict')), false, 'list cannot be restricted by name');
  });

  it('always offers a suppression comment that silences exactly that finding', () => {
    const { finding, fixes } = fixesFor(FLOW, (f) => f.ruleId === 'wildcard');
    const sup = fixes.find((f) => f.title === 'Disable wildcard for this line')!;
    const out = apply(FLOW, sup.edits);
    assert.match(out, /\n    # pipeline-rbac-disable-next-line wildcard -- REASON\n    verbs: \["\*"\]/);
    assert.equal(finding.ruleId, 'wildcard');
  });
});
