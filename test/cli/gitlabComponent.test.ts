// The GitLab CI/CD component (templates/pipeline-rbac.yml) run by gitlab-ci-local (npm, pinned in
// scripts/tools/ci-tools.mjs) in shell mode on a sample repository that includes it with inputs, as a project
// includes a catalog component (`include: local` here: the same spec:inputs interpolation without a GitLab server).
// The job's npx fetches pipeline-rbac from a loopback stand-in registry serving this repository's tarball.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ensureGitlabCiLocal } from '../../scripts/tools/ci-tools.mjs';
import { FakeNpmRegistry } from '../fakes/npmRegistry';
import { FIX, nodeOnlyEnv, pack, ROOT, run, tempDir, VERSION } from './helpers/packaged';

const TEMPLATE = join(ROOT, 'templates/pipeline-rbac.yml');

interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

describe('GitLab CI/CD component (templates/pipeline-rbac.yml, gitlab-ci-local in shell mode)', () => {
  const tmp = tempDir('prb-gitlab-');
  const registry = new FakeNpmRegistry();
  let gcl = '';

  before(async () => {
    gcl = ensureGitlabCiLocal();
    const { tarball } = await pack(tmp, false);
    await registry.start();
    registry.publish(tarball);
  });
  after(() => registry.stop());

  async function pipeline(name: string, inputs: Record<string, string>, files: Record<string, string>) {
    const repo = join(tmp, name);
    mkdirSync(join(repo, 'templates'), { recursive: true });
    copyFileSync(TEMPLATE, join(repo, 'templates/pipeline-rbac.yml'));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, f)), { recursive: true });
      writeFileSync(join(repo, f), text);
    }
    const withInputs = Object.entries(inputs).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`).join('');
    writeFileSync(join(repo, '.gitlab-ci.yml'), `include:\n  - local: templates/pipeline-rbac.yml\n    inputs:\n${withInputs}`);
    const env = nodeOnlyEnv(join(tmp, `${name}-home`), { npm_config_registry: registry.url, KUBECONFIG: join(tmp, 'none') });
    const git = (...args: string[]) => run('git', args, { cwd: repo, env: { ...env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-qm', 'sample');
    const r = await run(process.execPath, [gcl, '--force-shell-executor', '--artifacts-to-source', '--home', join(tmp, `${name}-gcl-home`), 'pipeline-rbac'], { cwd: repo, env, timeoutMs: 300_000 });
    const reportFile = join(repo, 'gl-code-quality-report.json');
    const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as CodeQualityIssue[]) : undefined;
    return { ...r, report, repo };
  }

  it('is a component: spec with inputs, then the job, which publishes the Code Quality report', () => {
    const [spec, job] = parseAllDocuments(readFileSync(TEMPLATE, 'utf8')).map((d) => d.toJS());
    assert.ok(spec.spec.inputs.paths && spec.spec.inputs.version, 'inputs');
    assert.equal(spec.spec.inputs.version.default, VERSION, 'the component runs the package of its own release');
    assert.equal(job['pipeline-rbac'].artifacts.reports.codequality, '$[[ inputs.report ]]');
    assert.equal(job['pipeline-rbac'].artifacts.when, 'always');
  });

  it('fails the job on error findings and writes the Code Quality report of them', { timeout: 360_000 }, async () => {
    const r = await pipeline('broad', { paths: 'rbac.yaml', 'held-rules': 'held.yaml' }, {
      'rbac.yaml': readFileSync(join(FIX, 'risky-ci-role.yaml'), 'utf8'),
      'held.yaml': readFileSync(join(FIX, 'developer-held.yaml'), 'utf8'),
    });
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /pipeline-rbac.*not-held/);
    assert.ok(r.report, `no report\n${r.stdout}\n${r.stderr}`);
    const notHeld = r.report.filter((i) => i.check_name === 'not-held');
    assert.ok(notHeld.length >= 2, JSON.stringify(r.report));
    for (const issue of r.report) {
      assert.equal(issue.location.path, 'rbac.yaml');
      assert.ok(issue.location.lines.begin >= 1 && issue.description && /^[0-9a-f]+$/.test(issue.fingerprint), JSON.stringify(issue));
    }
    assert.ok(notHeld.every((i) => i.severity === 'critical'));
    assert.equal(new Set(r.report.map((i) => i.fingerprint)).size, r.report.length, 'fingerprints are unique');
    assert.deepEqual([...new Set(registry.requests)], ['GET /pipeline-rbac', `GET /pipeline-rbac/-/pipeline-rbac-${VERSION}.tgz`]);
  });

  it('passes a clean Role: exit 0, a report without errors', { timeout: 360_000 }, async () => {
    const r = await pipeline('clean', { paths: 'rbac.yaml', 'held-rules': 'held.yaml' }, {
      'rbac.yaml': readFileSync(join(FIX, 'least-privilege-role.yaml'), 'utf8'),
      'held.yaml': readFileSync(join(FIX, 'developer-held.yaml'), 'utf8'),
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.report, `no report\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(r.report.filter((i) => i.severity === 'critical'), []);
  });

  it('hands globs to pipeline-rbac unexpanded (the shell would read deploy/**/*.yaml as deploy/*/*.yaml)', { timeout: 360_000 }, async () => {
    const broad = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci, namespace: team-a}\nrules:\n  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]\n';
    const clean = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ci, namespace: team-a}\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ["get"]\n';
    const r = await pipeline('glob', { paths: 'deploy/**/*.yaml' }, { 'deploy/a/shallow.yaml': clean, 'deploy/a/b/deep.yaml': broad });
    assert.equal(r.code === 0, false, r.stdout + r.stderr);
    assert.deepEqual(r.report?.map((i) => [i.location.path, i.check_name]), [['deploy/a/b/deep.yaml', 'wildcard']]);
  });
});
