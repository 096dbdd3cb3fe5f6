// The pure parts of the VS Code identity commands, continued from identityUiModel.test.ts: the lifecycle helpers
// (revoke listing, manifest Role, picker identities) and the summaries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  manifestRoleSource,
  parsePipelineAnnotation,
  pipelineIdentities,
  refFromNode,
  revokeListing,
} from '../../client/src/lifecycle/lifecycleModel';
import { createSummary, revokeSummary } from '../../client/src/lifecycle/summaryDoc';
import type { BindingNode, IdentitiesModel, IdentityNode } from '../../server/src/core/inventory/types';
import { pipelineAnnotation } from '../../server/src/core/lifecycle/audit';
import { identityManifests } from '../../server/src/core/lifecycle/manifests';
import { pipelineSnippets } from '../../server/src/core/lifecycle/snippets';
import { ANNOTATIONS, type IdentityResult } from '../../server/src/core/lifecycle/types';

function identity(over: Partial<IdentityNode> = {}): IdentityNode {
  return {
    id: 'ServiceAccount:team-a/shop-ci',
    kind: 'ServiceAccount',
    name: 'shop-ci',
    namespace: 'team-a',
    reasons: ['labelled'],
    exists: true,
    labelled: true,
    annotations: {},
    tokens: [],
    bindings: [],
    facts: [],
    flags: { expiringSoon: false, expired: false, unused: false },
    ...over,
  };
}

function binding(roleName: string, ours: boolean, state: 'ok' | 'unreadable' = 'ok'): BindingNode {
  return {
    kind: 'RoleBinding',
    name: 'shop-ci',
    namespace: 'team-a',
    via: 'direct',
    ours,
    findings: [],
    facts: [],
    role: {
      kind: 'Role',
      name: roleName,
      namespace: 'team-a',
      state,
      aggregated: false,
      findings: [],
      rules: state === 'ok' ? [{ index: 0, rule: { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }, text: '', findings: [] }] : [],
    },
  };
}

describe('lifecycle helpers', () => {
  test('tree nodes name pipeline ServiceAccounts only', () => {
    assert.deepEqual(refFromNode({ context: 'dev', identity: identity() }), { context: 'dev', namespace: 'team-a', name: 'shop-ci', identity: identity() });
    assert.equal(refFromNode({ context: 'dev', identity: identity({ labelled: false }) }), undefined);
    assert.equal(refFromNode({ context: 'dev', identity: identity({ kind: 'User', labelled: null }) }), undefined);
    assert.equal(refFromNode({ context: 'dev' }), undefined);
    assert.equal(refFromNode(undefined), undefined);
  });

  test('the palette lists the labelled ServiceAccounts of every namespace, sorted', () => {
    const model = {
      namespaces: [
        { name: 'team-b', readable: true, problems: [], identities: [identity({ namespace: 'team-b', name: 'b' })] },
        {
          name: 'team-a',
          readable: true,
          problems: [],
          identities: [identity({ name: 'z' }), identity({ name: 'unlabelled', labelled: false, reasons: ['binding'] }), identity({ name: 'a' })],
        },
      ],
    } as unknown as IdentitiesModel;
    assert.deepEqual(
      pipelineIdentities(model, 'dev').map((r) => `${r.namespace}/${r.name}`),
      ['team-a/a', 'team-a/z', 'team-b/b'],
    );
  });

  test('the revoke confirmation lists what the proven plan deletes and keeps, in revokeIdentity\'s order', () => {
    const plan = {
      targets: [
        { kind: 'RoleBinding' as const, namespace: 'team-a', name: 'shop-ci' },
        { kind: 'Role' as const, namespace: 'team-a', name: 'deployer' },
      ],
      kept: ['Role team-a/shared (labelled as this identity\'s, but RoleBinding other still refers to it; left alone)'],
    };
    assert.deepEqual(revokeListing('team-a', 'shop-ci', plan), {
      deleted: [
        "the identity's token Secrets (each checked to be its token first; revokes the token)",
        'RoleBinding team-a/shop-ci',
        'Role team-a/deployer',
        'ServiceAccount team-a/shop-ci',
      ],
      kept: plan.kept,
    });
    assert.deepEqual(revokeListing('team-a', 'x', { targets: [], kept: [] }).deleted.slice(1), ['ServiceAccount team-a/x']);
  });

  test('the pipeline annotation reads back what pipelineAnnotation wrote', () => {
    for (const p of [{ repo: 'acme/shop' }, { repo: 'acme/shop', environment: 'prod (eu)' }, { environment: 'staging' }]) {
      assert.deepEqual(parsePipelineAnnotation(pipelineAnnotation(p)), p);
    }
    assert.equal(parsePipelineAnnotation(undefined), undefined);
  });

  test('Save as Manifests writes our own Role with its rules, or binds an existing Role by name', () => {
    const ours = manifestRoleSource(identity({ bindings: [binding('deployer', true)] }), { [ANNOTATIONS.role]: 'deployer', [ANNOTATIONS.roleOwned]: 'true' });
    assert.deepEqual(ours, { kind: 'rules', name: 'deployer', rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }] });
    const yaml = identityManifests({ namespace: 'team-a', name: 'shop-ci', role: ours ?? assert.fail() });
    assert.match(yaml, /^kind: Role$/m);
    assert.match(yaml, /- deployments/);
    const existing = manifestRoleSource(identity({ bindings: [binding('shared', false)] }), { [ANNOTATIONS.role]: 'shared', [ANNOTATIONS.roleOwned]: 'false' });
    assert.deepEqual(existing, { kind: 'existing', name: 'shared' });
    assert.doesNotMatch(identityManifests({ namespace: 'team-a', name: 'shop-ci', role: existing ?? assert.fail() }), /^kind: Role$/m);
    // Our Role whose rules could not be read: bound by name rather than written empty.
    assert.deepEqual(manifestRoleSource(identity({ bindings: [binding('deployer', true, 'unreadable')] }), { [ANNOTATIONS.role]: 'deployer', [ANNOTATIONS.roleOwned]: 'true' }), {
      kind: 'existing',
      name: 'deployer',
    });
    // Without annotations: the `ours` binding decides.
    assert.equal(manifestRoleSource(identity({ bindings: [binding('deployer', true)] }), {})?.kind, 'rules');
    assert.equal(manifestRoleSource(identity(), {}), undefined);
  });
});

describe('summaries', () => {
  const result: IdentityResult = {
    namespace: 'team-a',
    serviceAccount: 'shop-ci',
    username: 'system:serviceaccount:team-a:shop-ci',
    role: 'deployer',
    roleOwned: true,
    roleBinding: 'shop-ci',
    token: { kind: 'request', secretName: 'shop-ci-token-x1', expiresAt: '2030-01-01T00:00:00Z', requestedSeconds: 2_592_000, grantedSeconds: 86_400, shortened: true },
    export: { store: 'file /tmp/k (mode 0600)', location: 'file /tmp/k (mode 0600)', action: 'created' },
    created: [
      { kind: 'ServiceAccount', namespace: 'team-a', name: 'shop-ci' },
      { kind: 'Role', namespace: 'team-a', name: 'deployer' },
    ],
    updated: [{ kind: 'RoleBinding', namespace: 'team-a', name: 'shop-ci' }],
    warnings: ['The server is a loopback address.'],
    annotations: {},
  };

  test('the create summary says what was created, the shortened token, the export and the snippet', () => {
    const snippets = pipelineSnippets({ target: { kind: 'file', path: '/tmp/k' }, namespace: 'team-a' });
    const md = createSummary(result, snippets);
    assert.match(md, /^# Pipeline identity team-a\/shop-ci$/m);
    assert.match(md, /\| ServiceAccount \| team-a\/shop-ci \| created \|/);
    assert.match(md, /\| RoleBinding \| team-a\/shop-ci \| updated \|/);
    assert.match(md, /SHORTENED by the server/);
    assert.match(md, /\*\*Kubeconfig exported to:\*\* file \/tmp\/k \(mode 0600\) \(created\)/);
    assert.match(md, /## Warnings\n\n- The server is a loopback address\./);
    assert.match(md, /### GitHub Actions\n\n```yaml\njobs:/);
    assert.match(md, /gh secret set KUBECONFIG\\_DATA \\< \/tmp\/k/, 'escaped Markdown: renders as KUBECONFIG_DATA <');
    assert.doesNotMatch(createSummary(result, undefined), /Use it in your pipeline/);
  });

  test('the revoke summary separates deleted, already gone and kept', () => {
    const md = revokeSummary({
      namespace: 'team-a',
      serviceAccount: 'shop-ci',
      deleted: ['Secret team-a/t', 'ServiceAccount team-a/shop-ci'],
      alreadyGone: ['RoleBinding team-a/shop-ci'],
      kept: ['Role team-a/shared'],
      remaining: [],
      unchecked: [],
      claimedExport: 'file /tmp/k (mode 0600)',
      oldToken: { state: 'refused', seconds: 3.2 },
      warnings: [],
    });
    assert.match(md, /\*\*Deleted:\*\*\n\n- Secret team-a\/t\n- ServiceAccount team-a\/shop-ci/);
    assert.match(md, /\*\*Already gone:\*\*\n\n- RoleBinding team-a\/shop-ci/);
    assert.match(md, /\*\*Kept:\*\*\n\n- Role team-a\/shared/);
    assert.match(md, /\*\*Stored kubeconfig:\*\* the ServiceAccount said it was exported to "file \/tmp\/k \(mode 0600\)" \(cluster text, not verified\)/);
  });
});
