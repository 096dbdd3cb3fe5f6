// .pre-commit-hooks.yaml with the real pre-commit (PyPI, pinned in scripts/tools/ci-tools.mjs): `pre-commit try-repo`
// installs this repository the way a user's pre-commit does (language: node, npm install -g git+file://..., which
// builds it through the `prepare` script) and runs the hook on a sample repository. Each try-repo installs afresh
// in its own store, so both run at once. npm reads packages from its cache when it has them (prefer-offline).
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensurePreCommit } from '../../scripts/tools/ci-tools.mjs';
import { FIX, ROOT, run, tempDir } from './helpers/packaged';

const BROAD_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: team-a
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
`;

async function sampleRepo(name: string, role: (file: string) => void) {
  const dir = tempDir(`prb-precommit-${name}-`);
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  await run('git', ['init', '-q'], { cwd: dir, env });
  role(join(dir, 'role.yaml'));
  // A YAML file that holds no RBAC object is checked too and passes.
  writeFileSync(join(dir, 'values.yaml'), 'replicas: 2\n');
  await run('git', ['add', '.'], { cwd: dir, env });
  await run('git', ['commit', '-qm', 'sample'], { cwd: dir, env });
  return dir;
}

function tryRepo(repo: string) {
  const env = { ...process.env, PRE_COMMIT_HOME: join(repo, '.pre-commit-home'), npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
  return run(ensurePreCommit(), ['try-repo', ROOT, 'pipeline-rbac', '--all-files'], { cwd: repo, env, timeoutMs: 15 * 60_000 });
}

describe('pre-commit hook (.pre-commit-hooks.yaml, real pre-commit try-repo)', () => {
  it('fails the commit on a too-broad Role and passes a clean one', { timeout: 16 * 60_000 }, async () => {
    const [broadRepo, cleanRepo] = await Promise.all([
      sampleRepo('broad', (f) => writeFileSync(f, BROAD_ROLE)),
      sampleRepo('clean', (f) => copyFileSync(join(FIX, 'least-privilege-role.yaml'), f)),
    ]);
    const [broad, clean] = await Promise.all([tryRepo(broadRepo), tryRepo(cleanRepo)]);
    assert.equal(broad.code, 1, broad.stdout + broad.stderr);
    assert.match(broad.stdout, /pipeline-rbac check\.+Failed/);
    assert.match(broad.stdout, /^role\.yaml$/m);
    assert.match(broad.stdout, /7:5\s+error\s+this rule grants every verb on every resource in every API group.*wildcard/);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /pipeline-rbac check\.+Passed/);
  });
});
