import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { InvalidInputError } from '../../server/src/core/lifecycle/names';
import { authenticationConfiguration, oidcBundle, oidcRoleBinding, oidcSubject, oidcWorkflowSnippet } from '../../server/src/core/lifecycle/oidc';
import { checkIssuerCa, explicitIssuer, issuerForHost, issuerUrlProblem } from '../../server/src/core/lifecycle/oidcIssuer';
import { pipelineSnippets } from '../../server/src/core/lifecycle/snippets';

describe('OIDC subjects', () => {
  test('GitHub Actions sub claims', () => {
    assert.equal(oidcSubject({ provider: 'github', repo: 'acme/app', environment: 'production' }), 'repo:acme/app:environment:production');
    assert.equal(oidcSubject({ provider: 'github', repo: 'acme/app', pullRequest: true }), 'repo:acme/app:pull_request');
    assert.equal(oidcSubject({ provider: 'github', repo: 'acme/app', ref: { type: 'branch', name: 'release/1.2' } }), 'repo:acme/app:ref:refs/heads/release/1.2');
    assert.equal(oidcSubject({ provider: 'github', repo: 'acme/app', ref: { type: 'tag', name: 'v1' } }), 'repo:acme/app:ref:refs/tags/v1');
    assert.equal(oidcSubject({ provider: 'github', repo: 'acme/app' }), 'repo:acme/app:ref:refs/heads/main');
  });

  test('GitLab id_tokens sub claims', () => {
    assert.equal(oidcSubject({ provider: 'gitlab', repo: 'group/sub/project', ref: { type: 'branch', name: 'main' } }), 'project_path:group/sub/project:ref_type:branch:ref:main');
    assert.equal(oidcSubject({ provider: 'gitlab', repo: 'group/project', ref: { type: 'tag', name: 'v2.0' } }), 'project_path:group/project:ref_type:tag:ref:v2.0');
  });

  test('bad input is refused', () => {
    assert.throws(() => oidcSubject({ provider: 'github', repo: 'acme' }), InvalidInputError);
    assert.throws(() => oidcSubject({ provider: 'github', repo: 'acme/app', environment: 'prod', pullRequest: true }), /one of/);
    assert.throws(() => oidcSubject({ provider: 'gitlab', repo: 'group/project', environment: 'prod' }), /GitLab/);
    assert.throws(() => oidcSubject({ provider: 'github', repo: 'acme/app', ref: { type: 'branch', name: 'a b' } }), InvalidInputError);
  });
});

describe('OIDC binding and configuration', () => {
  test('the RoleBinding names the prefixed subject as a User', () => {
    const rb = oidcRoleBinding({ namespace: 'team-a', roleName: 'deployer', subject: 'repo:acme/app:environment:prod', prefix: 'github:', provider: 'github' });
    assert.deepEqual(rb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'github:repo:acme/app:environment:prod' }]);
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' });
    assert.equal(rb.metadata?.namespace, 'team-a');
  });

  test('AuthenticationConfiguration is apiserver.config.k8s.io/v1 with issuer, audience, sub claim and prefix', () => {
    const text = authenticationConfiguration({ provider: 'github', audience: 'https://k8s.example.com', prefix: 'github:', owner: 'acme' });
    const cfg = parse(text) as {
      apiVersion: string;
      kind: string;
      jwt: { issuer: { url: string; audiences: string[] }; claimMappings: { username: { claim: string; prefix: string } }; claimValidationRules: { expression: string }[] }[];
    };
    assert.equal(cfg.apiVersion, 'apiserver.config.k8s.io/v1');
    assert.equal(cfg.kind, 'AuthenticationConfiguration');
    assert.equal(cfg.jwt[0]?.issuer.url, 'https://token.actions.githubusercontent.com');
    assert.deepEqual(cfg.jwt[0]?.issuer.audiences, ['https://k8s.example.com']);
    assert.deepEqual(cfg.jwt[0]?.claimMappings.username, { claim: 'sub', prefix: 'github:' });
    assert.equal(cfg.jwt[0]?.claimValidationRules[0]?.expression, 'claims.repository_owner == "acme"');
    const gl = parse(authenticationConfiguration({ provider: 'gitlab', issuer: 'https://gitlab.example.com', audience: 'k8s', prefix: 'gitlab:', owner: 'grp' })) as typeof cfg;
    assert.equal(gl.jwt[0]?.issuer.url, 'https://gitlab.example.com');
    assert.match(gl.jwt[0]?.claimValidationRules[0]?.expression ?? '', /namespace_path == "grp" \|\| claims\.namespace_path\.startsWith\("grp\/"\)/);
  });

  test('workflow snippets request an ID token for the audience and parse as YAML', () => {
    const gh = oidcWorkflowSnippet({ provider: 'github', audience: 'k8s-prod', namespace: 'team-a', environment: 'production' });
    const ghDoc = parse(gh) as { permissions: Record<string, string>; jobs: { deploy: { environment: string } } };
    assert.equal(ghDoc.permissions['id-token'], 'write');
    assert.equal(ghDoc.jobs.deploy.environment, 'production');
    assert.match(gh, /audience=k8s-prod/);
    assert.match(gh, /add-mask/);
    const gl = oidcWorkflowSnippet({ provider: 'gitlab', audience: 'k8s-prod', namespace: 'team-a' });
    const glDoc = parse(gl) as { deploy: { id_tokens: { K8S_ID_TOKEN: { aud: string } } } };
    assert.equal(glDoc.deploy.id_tokens.K8S_ID_TOKEN.aud, 'k8s-prod');
  });

  test('the bundle ties subject, username, binding and notes together', () => {
    const b = oidcBundle({ provider: 'github', repo: 'acme/app', environment: 'prod', namespace: 'team-a', roleName: 'deployer', audience: 'k8s' });
    assert.equal(b.subject, 'repo:acme/app:environment:prod');
    assert.equal(b.username, 'github:repo:acme/app:environment:prod');
    assert.match(b.roleBinding, /name: github:repo:acme\/app:environment:prod/);
    assert.ok(b.notes.some((n) => n.includes('/repos/acme/app/actions/oidc/customization/sub')));
    const custom = oidcBundle({ provider: 'github', repo: 'acme/app', namespace: 'team-a', roleName: 'deployer', audience: 'k8s', subject: 'repo:acme@1/app@2:environment:prod', prefix: '' });
    assert.equal(custom.username, 'repo:acme@1/app@2:environment:prod');
  });
});

describe('pipeline snippets for exported kubeconfigs', () => {
  test('GitHub: azure/k8s-set-context with the secret (environment job)', () => {
    const s = pipelineSnippets({ target: { kind: 'github', owner: 'acme', repo: 'app', environment: 'prod', name: 'kube_config' }, namespace: 'team-a' });
    const doc = parse(s.github ?? '') as { jobs: { deploy: { environment: string; steps: { uses?: string; with?: Record<string, string> }[] } } };
    assert.equal(doc.jobs.deploy.environment, 'prod');
    const set = doc.jobs.deploy.steps.find((x) => x.uses?.startsWith('azure/k8s-set-context'));
    assert.equal(set?.with?.kubeconfig, '${{ secrets.KUBE_CONFIG }}');
    assert.equal(s.gitlab, undefined);
  });

  test('GitLab: a file variable is a path (KUBECONFIG=$VAR); base64 is decoded', () => {
    const file = pipelineSnippets({ target: { kind: 'gitlab', project: 'g/p', key: 'KUBE_FILE' }, namespace: 'team-a' });
    assert.match(file.gitlab ?? '', /export KUBECONFIG="\$KUBE_FILE"/);
    const b64 = pipelineSnippets({ target: { kind: 'gitlab', project: 'g/p', key: 'KUBE_B64' }, namespace: 'team-a', gitlabVariableType: 'base64' });
    assert.match(b64.gitlab ?? '', /echo "\$KUBE_B64" \| base64 -d/);
    assert.doesNotThrow(() => parse(b64.gitlab ?? ''));
  });

  test('file export: both snippets and how to upload the file', () => {
    const s = pipelineSnippets({ target: { kind: 'file', path: './ci.kubeconfig' }, namespace: 'team-a', environment: 'prod' });
    assert.ok(s.github && s.gitlab);
    assert.ok(s.notes.some((n) => n.includes('gh secret set KUBECONFIG_DATA --env prod < ./ci.kubeconfig')));
  });
});

describe('the issuer follows the configured host (issue 12)', () => {
  test('public hosts keep the public issuers', () => {
    assert.deepEqual(issuerForHost('github', undefined, 'GITHUB_API_URL'), { url: 'https://token.actions.githubusercontent.com', source: 'default', selfManaged: false });
    assert.equal(issuerForHost('github', 'https://api.github.com', 'GITHUB_API_URL').url, 'https://token.actions.githubusercontent.com');
    assert.equal(issuerForHost('gitlab', '', 'GITLAB_HOST').url, 'https://gitlab.com');
    assert.equal(issuerForHost('gitlab', 'gitlab.com', 'GITLAB_HOST').url, 'https://gitlab.com');
  });

  test('GitHub Enterprise Server: https://HOST/_services/token from its API URL', () => {
    assert.deepEqual(issuerForHost('github', 'https://ghe.example.com/api/v3', 'pipelineRbac.github.apiUrl'), {
      url: 'https://ghe.example.com/_services/token',
      source: 'pipelineRbac.github.apiUrl',
      selfManaged: true,
    });
    assert.equal(issuerForHost('github', 'ghe.example.com:8443', 'GITHUB_API_URL').url, 'https://ghe.example.com:8443/_services/token');
    assert.throws(() => issuerForHost('github', 'https://api.octo.ghe.com', 'GITHUB_API_URL'), /GHE\.com/);
  });

  test('self-managed GitLab: its own URL (relative root kept, API path and trailing slash dropped); http refused', () => {
    assert.equal(issuerForHost('gitlab', 'https://gitlab.example.com/', 'GITLAB_HOST').url, 'https://gitlab.example.com');
    assert.equal(issuerForHost('gitlab', 'gitlab.example.com', 'GITLAB_HOST').url, 'https://gitlab.example.com');
    assert.equal(issuerForHost('gitlab', 'https://example.com/gitlab/api/v4', 'pipelineRbac.gitlab.url').url, 'https://example.com/gitlab');
    assert.throws(() => issuerForHost('gitlab', 'http://gitlab.internal', 'GITLAB_HOST'), /https/);
  });

  test('explicit issuers are checked as the API server checks them', () => {
    assert.equal(explicitIssuer('https://token.actions.githubusercontent.com', '--issuer', 'github').selfManaged, false);
    assert.equal(explicitIssuer('https://ghe.example.com/_services/token', '--issuer', 'github').selfManaged, true);
    for (const bad of ['http://x.example', 'https://u:p@x.example', 'https://x.example/?a=1', 'https://x.example/#f', 'not a url']) {
      assert.throws(() => explicitIssuer(bad, '--issuer', 'github'), InvalidInputError, bad);
    }
    assert.equal(issuerUrlProblem('https://x.example/_services/token'), undefined);
  });

  test('an issuer CA must be PEM certificates only', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    assert.equal(checkIssuerCa(pem, 'ca.crt'), `${pem}\n`);
    assert.throws(() => checkIssuerCa('hello', 'ca.crt'), /no PEM certificate/);
    assert.throws(() => checkIssuerCa(`${pem}\n-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----`, 'ca.crt'), /private key/);
  });

  test('the bundle carries the issuer and its CA into the AuthenticationConfiguration; pull requests warn plainly', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const b = oidcBundle({ provider: 'gitlab', repo: 'acme/shop', namespace: 'team-a', roleName: 'r', audience: 'k', issuer: 'https://gitlab.example.com', certificateAuthority: pem });
    assert.equal(b.issuer, 'https://gitlab.example.com');
    const cfg = parse(b.authenticationConfiguration) as { jwt: { issuer: { url: string; certificateAuthority: string } }[] };
    assert.equal(cfg.jwt[0]?.issuer.url, 'https://gitlab.example.com');
    assert.equal(cfg.jwt[0]?.issuer.certificateAuthority, pem);
    assert.deepEqual(b.warnings, []);
    assert.equal(b.notes.some((n) => n.includes('certificateAuthority')), false, 'the CA is in the entry already');
    const noCa = oidcBundle({ provider: 'gitlab', repo: 'acme/shop', namespace: 'team-a', roleName: 'r', audience: 'k', issuer: 'https://gitlab.example.com' });
    assert.ok(noCa.notes.some((n) => n.startsWith("If https://gitlab.example.com's HTTPS certificate is not from a CA")));
    const pub = oidcBundle({ provider: 'gitlab', repo: 'acme/shop', namespace: 'team-a', roleName: 'r', audience: 'k' });
    assert.equal(pub.notes.some((n) => n.includes('certificateAuthority')), false);
    const pr = oidcBundle({ provider: 'github', repo: 'acme/web', pullRequest: true, namespace: 'team-a', roleName: 'r', audience: 'k' });
    assert.match(pr.warnings[0] ?? '', /^Every pull-request run of acme\/web gets these rights/);
  });
});
