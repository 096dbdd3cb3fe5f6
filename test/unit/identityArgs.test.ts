import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIdentityArgs } from '../../server/src/cli/identity';
import { UsageError } from '../../server/src/cli/errors';

const base = ['--namespace', 'team-a', '--name', 'ci'];

describe('identity argument parsing', () => {
  test('create with all options', () => {
    const c = parseIdentityArgs([
      'create', ...base, '--role-file', 'role.yaml', '--token', 'request', '--duration', '48h', '--export', 'github:acme/app@prod:KUBE_CONFIG',
      '--kubeconfig', '/k', '--context', 'dev', '--format', 'json', '--repo', 'acme/app', '--environment', 'prod', '--server', 'https://api.example.com',
    ]);
    assert.deepEqual(c, {
      sub: 'create',
      namespace: 'team-a',
      name: 'ci',
      role: { file: 'role.yaml' },
      token: { kind: 'request', durationSeconds: 48 * 3600 },
      export: 'github:acme/app@prod:KUBE_CONFIG',
      server: 'https://api.example.com',
      pipeline: { repo: 'acme/app', environment: 'prod' },
      allowInsecureServer: false,
      conn: { kubeconfig: '/k', context: 'dev' },
      format: 'json',
    });
  });

  test('create defaults: TokenRequest for 30 days, text output', () => {
    const c = parseIdentityArgs(['create', ...base, '--role', 'existing-role', '--export', 'file:./k']);
    assert.equal(c.sub, 'create');
    if (c.sub !== 'create') return;
    assert.deepEqual(c.token, { kind: 'request', durationSeconds: 30 * 86400 });
    assert.deepEqual(c.role, { existing: 'existing-role' });
    assert.equal(c.format, 'text');
    assert.deepEqual(c.conn, {});
  });

  test('usage errors', () => {
    const bad: string[][] = [
      ['create', ...base, '--export', 'file:k'], // no role
      ['create', ...base, '--role-file', 'r', '--role', 'x', '--export', 'file:k'],
      ['create', ...base, '--role-file', 'r'], // no export
      ['create', ...base, '--role-file', 'r', '--export', 'dropbox:x'],
      ['create', ...base, '--role-file', 'r', '--export', 'github:acme:X'],
      ['create', ...base, '--role-file', 'r', '--export', 'file:k', '--token', 'forever'],
      ['create', ...base, '--role-file', 'r', '--export', 'file:k', '--duration', '5m'],
      ['create', ...base, '--role-file', 'r', '--export', 'file:k', '--token', 'secret', '--duration', '1h'],
      ['create', ...base, '--role-file', 'r', '--export', 'file:k', '--format', 'yaml'],
      ['create', '--name', 'ci', '--role-file', 'r', '--export', 'file:k'], // no namespace
      ['create', ...base, '--role-file', 'r', '--export', 'file:k', '--delete-secret'], // not a create option
      ['create', ...base, '--role-file', 'r', '--export', 'file:k', 'extra'],
      ['frobnicate'],
      ['oidc', '--namespace', 'n', '--provider', 'bitbucket', '--repo', 'a/b', '--role', 'r'],
      ['oidc', '--namespace', 'n', '--provider', 'github', '--repo', 'a/b', '--role', 'r', '--branch', 'x', '--tag', 'y'],
    ];
    for (const argv of bad) assert.throws(() => parseIdentityArgs(argv), UsageError, argv.join(' '));
  });

  test('rotate, revoke, manifests, oidc', () => {
    assert.deepEqual(parseIdentityArgs(['rotate', ...base, '--duration', '24h']), {
      sub: 'rotate', namespace: 'team-a', name: 'ci', durationSeconds: 86400, useRecorded: false, allowInsecureServer: false, conn: {}, format: 'text',
    });
    assert.deepEqual(parseIdentityArgs(['rotate', ...base, '--export', 'gitlab:g/p:KUBE', '--allow-insecure-server']), {
      sub: 'rotate', namespace: 'team-a', name: 'ci', export: 'gitlab:g/p:KUBE', useRecorded: false, allowInsecureServer: true, conn: {}, format: 'text',
    });
    assert.equal((parseIdentityArgs(['rotate', ...base, '--use-recorded-target']) as { useRecorded: boolean }).useRecorded, true);
    assert.throws(() => parseIdentityArgs(['rotate', ...base, '--use-recorded-target', '--export', 'file:/x']), UsageError);
    assert.throws(() => parseIdentityArgs(['revoke', ...base, '--export', 'file:/x']), /go with --delete-secret/);
    assert.deepEqual(parseIdentityArgs(['revoke', ...base, '--delete-secret', '--export', 'vault:secret/ci/kube']), {
      sub: 'revoke', namespace: 'team-a', name: 'ci', deleteSecret: true, export: 'vault:secret/ci/kube', useRecorded: false, conn: {}, format: 'text',
    });
    assert.deepEqual(parseIdentityArgs(['manifests', ...base, '--role-file', 'r.yaml', '-o', 'out.yaml']), {
      sub: 'manifests', namespace: 'team-a', name: 'ci', role: { file: 'r.yaml' }, output: 'out.yaml', format: 'text',
    });
    assert.deepEqual(parseIdentityArgs(['oidc', '--namespace', 'team-a', '--provider', 'gitlab', '--repo', 'g/p', '--role', 'deployer', '--tag', 'v1', '--prefix', '']), {
      sub: 'oidc', namespace: 'team-a', provider: 'gitlab', repo: 'g/p', role: { existing: 'deployer' }, pullRequest: false, ref: { type: 'tag', name: 'v1' },
      audience: 'kubernetes', prefix: '', apply: false, conn: {}, format: 'text',
    });
    assert.deepEqual(
      (parseIdentityArgs(['oidc', '--namespace', 'team-a', '--provider', 'github', '--repo', 'a/b', '--role', 'r', '--apply', '--context', 'prod', '--certificate-authority', 'ca.pem']) as { apply: boolean; conn: object; certificateAuthority: string }),
      { sub: 'oidc', namespace: 'team-a', provider: 'github', repo: 'a/b', role: { existing: 'r' }, pullRequest: false, audience: 'kubernetes', certificateAuthority: 'ca.pem', apply: true, conn: { context: 'prod' }, format: 'text' },
    );
  });

  test('help', () => {
    assert.deepEqual(parseIdentityArgs([]), { sub: 'help' });
    assert.deepEqual(parseIdentityArgs(['create', '--help']), { sub: 'help' });
  });
});
