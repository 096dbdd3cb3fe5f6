// The pure parts of the VS Code identity commands: the create flow's stages and checks, export choices and what
// is derived from them (the lifecycle helpers and summaries are in identityLifecycleModel.test.ts).
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
} from '../../client/src/lifecycle/exportChoice';
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
  STAGES,
  suggestName,
  type CreateAnswers,
} from '../../client/src/lifecycle/flowModel';
import type { PreflightReport } from '../../server/src/core/lifecycle/preflight';
import { pipelineSnippets } from '../../server/src/core/lifecycle/snippets';
import { parseExportTarget } from '../../server/src/core/stores/target';

describe('create flow stages', () => {
  test('six stages with the step counts the quick input shows', () => {
    assert.deepEqual([...STAGES], ['preflight', 'name', 'role', 'token', 'export', 'confirm']);
    assert.deepEqual(stageStep('role'), { step: 3, totalSteps: 6 });
    assert.deepEqual(stageStep('name'), { step: 2, totalSteps: 6 });
    assert.deepEqual(stageStep('confirm'), { step: 6, totalSteps: 6 });
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
