// The pure parts of the VS Code identity commands: the create flow's stages and checks, export choices and what
// is derived from them, the lifecycle helpers (revoke listing, manifest Role, picker identities), the summaries.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  credentialNeed,
  describeChoice,
  exportSpec,
  exportTarget,
  githubEnvironmentProblem,
  githubRepoProblem,
  githubSecretNameProblem,
  gitlabKeyProblem,
  gitlabProjectProblem,
  gitlabScopeProblem,
  pipelineFor,
  choiceFromRecord,
  recordTarget,
  secretStorageKey,
  snippetInput,
  splitVaultPath,
  vaultPathProblem,
  type ExportChoice,
} from '../../client/src/identity/exportChoice';
import {
  DEFAULT_LIFETIME,
  lifetimeProblem,
  looksLikeRole,
  nameProblem,
  namespaceProblem,
  nextStage,
  planFrom,
  preflightKey,
  preflightLines,
  previousStage,
  serverUrlProblem,
  stageStep,
  stageTitle,
  STAGES,
  suggestName,
  type CreateAnswers,
} from '../../client/src/identity/flowModel';
import { manifestRoleSource, parsePipelineAnnotation, pipelineIdentities, refFromNode, revokeListing } from '../../client/src/identity/lifecycleModel';
import { createSummary, revokeSummary } from '../../client/src/identity/summaryDoc';
import type { BindingNode, IdentitiesModel, IdentityNode } from '../../server/src/identities/types';
import { pipelineAnnotation } from '../../server/src/identity/audit';
import { identityManifests } from '../../server/src/identity/manifests';
import type { PreflightReport } from '../../server/src/identity/preflight';
import { pipelineSnippets } from '../../server/src/identity/snippets';
import { ANNOTATIONS, type IdentityResult } from '../../server/src/identity/types';
import { parseExportTarget } from '../../server/src/stores/target';

describe('create flow stages', () => {
  test('six stages with step counts and titles as the quick input renders them', () => {
    assert.deepEqual([...STAGES], ['preflight', 'name', 'role', 'token', 'export', 'confirm']);
    assert.deepEqual(stageStep('role'), { step: 3, totalSteps: 6 });
    assert.equal(stageTitle('name'), 'Create Pipeline Identity (2/6)');
    assert.equal(stageTitle('confirm'), 'Create Pipeline Identity (6/6)');
  });

  test('next and back walk the stages; back from the first stage and next from the last end there', () => {
    const forward: string[] = [];
    for (let s: (typeof STAGES)[number] | undefined = 'preflight'; s; s = nextStage(s)) forward.push(s);
    assert.deepEqual(forward, [...STAGES]);
    assert.equal(previousStage('preflight'), undefined);
    assert.equal(previousStage('export'), 'token');
    assert.equal(nextStage('confirm'), undefined);
  });

  test('input checks accept valid values and explain invalid ones', () => {
    assert.equal(nameProblem('shop-ci'), undefined);
    assert.match(nameProblem('Shop_CI') ?? '', /not a valid ServiceAccount name/);
    assert.match(nameProblem('') ?? '', /not a valid ServiceAccount name/);
    assert.equal(namespaceProblem('team-a'), undefined);
    assert.match(namespaceProblem('team.a') ?? '', /not a valid namespace/);
    assert.equal(lifetimeProblem(DEFAULT_LIFETIME), undefined);
    assert.equal(DEFAULT_LIFETIME, '30d');
    assert.equal(lifetimeProblem('12h'), undefined);
    assert.match(lifetimeProblem('5m') ?? '', /shorter than the 10 minutes/);
    assert.match(lifetimeProblem('a week') ?? '', /not a duration/);
  });

  test('a suggested name is a valid ServiceAccount name', () => {
    assert.equal(suggestName('My Shop_App'), 'my-shop-app-ci');
    assert.equal(suggestName(undefined), 'pipeline-ci');
    assert.equal(suggestName('---'), 'pipeline-ci');
    const long = suggestName('x'.repeat(100));
    assert.equal(nameProblem(long), undefined);
  });

  test('looksLikeRole finds Role documents, not ClusterRoles or bindings', () => {
    assert.equal(looksLikeRole('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: a}\n'), true);
    assert.equal(looksLikeRole('kind: "Role"  # quoted\n'), true);
    assert.equal(looksLikeRole('kind: ClusterRole\n'), false);
    assert.equal(looksLikeRole('kind: RoleBinding\n'), false);
    assert.equal(looksLikeRole('  kind: Role\n'), false, 'nested kind is not a document kind');
  });

  test('planFrom builds the IdentityPlan, records the CLI export target and the pipeline', () => {
    const answers: CreateAnswers = {
      context: 'dev',
      namespace: 'team-a',
      name: 'shop-ci',
      role: { kind: 'file', path: 'ci/role.yaml', text: 'kind: Role\n' },
      token: { kind: 'request', durationSeconds: 86_400 },
      export: { kind: 'github', owner: 'acme', repo: 'shop', environment: 'prod', secretName: 'KUBECONFIG' },
    };
    assert.deepEqual(planFrom(answers), {
      namespace: 'team-a',
      name: 'shop-ci',
      role: { kind: 'file', text: 'kind: Role\n', path: 'ci/role.yaml' },
      token: { kind: 'request', durationSeconds: 86_400 },
      pipeline: { repo: 'acme/shop', environment: 'prod' },
      exportTarget: 'github:acme/shop@prod:KUBECONFIG',
    });
    const local = planFrom({ ...answers, role: { kind: 'existing', name: 'deployer' }, token: { kind: 'secret' }, export: { kind: 'vscode', key: 'k' } });
    assert.deepEqual(local.role, { kind: 'existing', name: 'deployer' });
    assert.deepEqual(local.token, { kind: 'secret' });
    assert.equal('exportTarget' in local, false, 'SecretStorage is not recorded: the CLI cannot reach it');
    assert.equal('pipeline' in local, false);
    const generated = planFrom({ ...answers, role: { kind: 'generated', name: 'gen', rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }], sources: 2 } });
    assert.deepEqual(generated.role, { kind: 'rules', name: 'gen', rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }] });
    assert.throws(() => planFrom({ context: 'dev', namespace: 'team-a', name: 'x' }), /missing an answer/);
    assert.equal(planFrom({ ...answers, server: 'https://k8s.example.com:6443' }).server, 'https://k8s.example.com:6443');
    assert.equal('server' in planFrom(answers), false, 'default: the context\'s server');
  });

  test('a server URL for the kubeconfig must be an http(s) URL with a host', () => {
    assert.equal(serverUrlProblem('https://k8s.example.com:6443'), undefined);
    assert.equal(serverUrlProblem(' http://10.0.0.1 '), undefined);
    for (const bad of ['k8s.example.com', 'ftp://k8s.example.com', '', 'https://']) assert.match(serverUrlProblem(bad) ?? '', /API server URL/, bad);
  });

  test('the preflight key changes with what the check covers', () => {
    const keys = new Set([preflightKey('a', 'request', true), preflightKey('a', 'secret', true), preflightKey('a', 'request', false), preflightKey('b', 'request', true)]);
    assert.equal(keys.size, 4);
  });

  test('preflight lines: who, where, each permission allowed or not, warnings', () => {
    const report: PreflightReport = {
      context: 'dev',
      server: 'https://127.0.0.1:6443',
      namespace: 'team-a',
      user: { username: 'developer', groups: ['system:authenticated'] },
      operation: 'create',
      checks: [
        { verb: 'create', group: '', resource: 'serviceaccounts', why: 'create the ServiceAccount', allowed: true },
        { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', why: 'request a token (TokenRequest)', allowed: false },
      ],
      missing: [],
      ok: false,
      warnings: ['loopback server'],
    };
    assert.deepEqual(preflightLines(report), [
      { icon: 'account', label: 'Acting as developer', detail: 'groups system:authenticated' },
      { icon: 'server-environment', label: 'Context dev, namespace team-a', detail: 'cluster https://127.0.0.1:6443' },
      { icon: 'pass', label: 'May create serviceaccounts', detail: 'to create the ServiceAccount' },
      { icon: 'error', label: 'May NOT create serviceaccounts/token', detail: 'to request a token (TokenRequest)' },
      { icon: 'warning', label: 'loopback server' },
    ]);
  });
});

describe('export choices', () => {
  const choices: ExportChoice[] = [
    { kind: 'github', owner: 'acme', repo: 'shop', secretName: 'kube_config' },
    { kind: 'github', owner: 'acme', repo: 'shop', environment: 'prod env', secretName: 'KUBECONFIG' },
    { kind: 'gitlab', project: 'grp/sub/shop', key: 'KUBECONFIG', mode: 'file' },
    { kind: 'gitlab', project: 'grp/shop', key: 'KUBECONFIG_B64', environmentScope: 'production', mode: 'masked-base64' },
    { kind: 'vault', mount: 'secret', path: 'ci/team-a/shop' },
    { kind: 'file', path: '/home/me/shop.kubeconfig' },
  ];

  test('every recordable choice round-trips through the recorded CLI form', () => {
    for (const c of choices) {
      const spec = exportSpec(c);
      assert.ok(spec, `${c.kind} has a CLI form`);
      assert.deepEqual(parseExportTarget(spec), exportTarget(c));
      assert.equal(recordTarget(c), spec);
      assert.deepEqual(choiceFromRecord({ target: spec, ...(c.kind === 'gitlab' ? { gitlabMode: c.mode } : {}) }), c);
    }
  });

  test('a SecretStorage export is found again only through this machine\'s record, never through cluster text', () => {
    const key = secretStorageKey('kind-dev', 'team-a', 'shop-ci');
    assert.equal(key, 'pipelineRbac.kubeconfig/kind-dev/team-a/shop-ci');
    const c: ExportChoice = { kind: 'vscode', key };
    assert.equal(exportSpec(c), undefined);
    assert.equal(exportTarget(c), undefined);
    assert.equal(recordTarget(c), `vscode:${key}`);
    assert.deepEqual(choiceFromRecord({ target: recordTarget(c) }), c);
    assert.equal(choiceFromRecord({ target: 'nonsense' }), undefined);
    assert.equal(choiceFromRecord({ target: 'vscode:' }), undefined);
    assert.equal(choiceFromRecord(undefined), undefined);
  });

  test('credentials are needed for the remote stores only', () => {
    assert.deepEqual(
      choices.map((c) => credentialNeed(c)),
      ['github', 'github', 'gitlab', 'gitlab', 'vault', undefined],
    );
    assert.equal(credentialNeed({ kind: 'vscode', key: 'k' }), undefined);
  });

  test('the pipeline annotation comes from GitHub and GitLab targets', () => {
    assert.deepEqual(pipelineFor(choices[1] as ExportChoice), { repo: 'acme/shop', environment: 'prod env' });
    assert.deepEqual(pipelineFor(choices[2] as ExportChoice), { repo: 'grp/sub/shop' });
    assert.deepEqual(pipelineFor(choices[3] as ExportChoice), { repo: 'grp/shop', environment: 'production' });
    assert.equal(pipelineFor(choices[4] as ExportChoice), undefined);
  });

  test('snippets match the store: GitHub secret name upper-cased, GitLab base64 decoded, none for SecretStorage', () => {
    const gh = pipelineSnippets(snippetInput(choices[0] as ExportChoice, 'team-a') ?? assert.fail('no snippet input'));
    assert.match(gh.github ?? '', /kubeconfig: \$\{\{ secrets\.KUBE_CONFIG \}\}/);
    const gl = pipelineSnippets(snippetInput(choices[3] as ExportChoice, 'team-a') ?? assert.fail('no snippet input'));
    assert.match(gl.gitlab ?? '', /base64 -d/);
    assert.match(gl.gitlab ?? '', /environment: production/);
    assert.equal(snippetInput({ kind: 'vscode', key: 'k' }, 'team-a'), undefined);
  });

  test('descriptions name the store and never a value', () => {
    assert.equal(describeChoice(choices[1] as ExportChoice), 'GitHub Actions secret KUBECONFIG of acme/shop (environment prod env)');
    assert.equal(describeChoice(choices[0] as ExportChoice), 'GitHub Actions secret KUBE_CONFIG of acme/shop');
    assert.match(describeChoice(choices[3] as ExportChoice), /GitLab CI\/CD variable KUBECONFIG_B64 of grp\/shop \(scope production\), masked and hidden base64/);
    assert.equal(describeChoice(choices[5] as ExportChoice), 'file /home/me/shop.kubeconfig (mode 0600)');
  });

  test('input checks use the stores\' own rules', () => {
    assert.equal(githubRepoProblem('acme/shop'), undefined);
    assert.match(githubRepoProblem('acme') ?? '', /OWNER\/REPO/);
    assert.match(githubRepoProblem('acme/shop/x') ?? '', /OWNER\/REPO/);
    assert.match(githubRepoProblem('-acme/shop') ?? '', /not a GitHub user or organization/);
    assert.equal(githubEnvironmentProblem(''), undefined);
    assert.equal(githubEnvironmentProblem('prod'), undefined);
    assert.equal(githubSecretNameProblem('KUBECONFIG'), undefined);
    assert.match(githubSecretNameProblem('GITHUB_TOKEN') ?? '', /must not start with GITHUB_/);
    assert.match(githubSecretNameProblem('1X') ?? '', /must not start with a digit/);
    assert.match(githubSecretNameProblem('a-b') ?? '', /letters, digits and "_"/);
    assert.equal(gitlabProjectProblem('grp/shop'), undefined);
    assert.equal(gitlabProjectProblem('42'), undefined);
    assert.match(gitlabProjectProblem('shop') ?? '', /not a GitLab project/);
    assert.equal(gitlabKeyProblem('KUBECONFIG', 'file'), undefined);
    assert.match(gitlabKeyProblem('KUBECONFIG', 'masked-base64') ?? '', /kubectl reads KUBECONFIG as a file path/);
    assert.equal(gitlabScopeProblem(''), undefined);
    assert.match(gitlabScopeProblem('a;b') ?? '', /environment scope/);
    assert.equal(vaultPathProblem('secret/ci/x'), undefined);
    assert.match(vaultPathProblem('secret') ?? '', /missing "\/PATH"/);
    assert.match(vaultPathProblem('secret//x') ?? '', /empty path segment/);
    assert.deepEqual(splitVaultPath(' kv/a/b '), { mount: 'kv', path: 'a/b' });
  });
});

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

  test('the revoke confirmation lists what revokeIdentity deletes, and keeps an existing Role', () => {
    const owned = {
      [ANNOTATIONS.tokenSecret]: 'shop-ci-token-abcde',
      [ANNOTATIONS.roleBinding]: 'shop-ci',
      [ANNOTATIONS.role]: 'deployer',
      [ANNOTATIONS.roleOwned]: 'true',
    };
    assert.deepEqual(revokeListing('team-a', 'shop-ci', owned), {
      deleted: [
        "the identity's token Secrets (each checked to be its token first; revokes the token)",
        'RoleBinding team-a/shop-ci',
        'Role team-a/deployer',
        'ServiceAccount team-a/shop-ci',
      ],
      kept: [],
    });
    const existing = revokeListing('team-a', 'shop-ci', { ...owned, [ANNOTATIONS.roleOwned]: 'false' });
    assert.deepEqual(existing.kept, ['Role team-a/deployer (existing, not created by Pipeline RBAC)']);
    assert.equal(existing.deleted.some((d) => d.startsWith('Role ')), false);
    assert.deepEqual(revokeListing('team-a', 'x', {}).deleted.slice(1), ['RoleBinding team-a/x', 'ServiceAccount team-a/x']);
    assert.ok(!revokeListing('team-a', 'x', { [ANNOTATIONS.tokenSecret]: 'prod-db-credentials' }).deleted.join().includes('prod-db'), 'the annotation never names what is deleted');
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
    assert.match(md, /gh secret set KUBECONFIG_DATA < \/tmp\/k/);
    assert.doesNotMatch(createSummary(result, undefined), /Use it in your pipeline/);
  });

  test('the revoke summary separates deleted, already gone and kept', () => {
    const md = revokeSummary({
      namespace: 'team-a',
      serviceAccount: 'shop-ci',
      deleted: ['Secret team-a/t', 'ServiceAccount team-a/shop-ci'],
      alreadyGone: ['RoleBinding team-a/shop-ci'],
      kept: ['Role team-a/shared'],
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
