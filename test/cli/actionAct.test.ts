// The GitHub Action run by a real local runner: nektos/act (built from its Go module, scripts/tools/ci-tools.mjs) in
// host mode, on a sample repository whose workflow uses the action from a folder of the repository (`uses:
// ./pipeline-rbac`, the files of this repository without dist/, as a release tag has them). act evaluates action.yml
// itself: the composite step, its env mapping, outputs, annotations, the job summary and the job's result. The
// action installs the package from a loopback stand-in registry; a `cp` step stands in for actions/checkout
// (github.com is not reachable here).
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureAct } from '../../scripts/tools/ci-tools.mjs';
import { FakeNpmRegistry } from '../fakes/npmRegistry';
import { FIX, nodeOnlyEnv, pack, ROOT, run, tempDir } from './helpers/packaged';

const WORKFLOW = `name: rbac
on: push
jobs:
  rbac:
    runs-on: ubuntu-latest
    steps:
      - run: cp -a "$SAMPLE_REPO"/. .
      - uses: ./pipeline-rbac
        id: rbac
        with:
          paths: rbac.yaml
          held-rules: held.yaml
      - if: \${{ !cancelled() }}
        run: echo "OUTPUTS sarif=\${{ steps.rbac.outputs.sarif-file }} errors=\${{ steps.rbac.outputs.errors }}"
`;

describe('GitHub Action under nektos/act (host mode)', () => {
  const tmp = tempDir('prb-act-');
  const registry = new FakeNpmRegistry();
  let act = '';

  before(async () => {
    act = ensureAct();
    const { tarball } = await pack(tmp, false);
    await registry.start();
    registry.publish(tarball);
  });
  after(() => registry.stop());

  async function workflowRun(name: string, role: string) {
    const repo = join(tmp, name);
    mkdirSync(join(repo, '.github/workflows'), { recursive: true });
    mkdirSync(join(repo, 'pipeline-rbac'));
    for (const f of ['action.yml', 'package.json']) copyFileSync(join(ROOT, f), join(repo, 'pipeline-rbac', f));
    cpSync(join(ROOT, 'action'), join(repo, 'pipeline-rbac/action'), { recursive: true });
    writeFileSync(join(repo, '.github/workflows/rbac.yml'), WORKFLOW);
    writeFileSync(join(repo, 'rbac.yaml'), role);
    copyFileSync(join(FIX, 'developer-held.yaml'), join(repo, 'held.yaml'));
    const home = join(tmp, `${name}-home`);
    const env = nodeOnlyEnv(home, { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' });
    for (const args of [['init', '-q'], ['add', '.'], ['commit', '-qm', 'sample']]) await run('git', args, { cwd: repo, env });
    const passed = [`npm_config_registry=${registry.url}`, `npm_config_cache=${join(home, '.npm')}`, `KUBECONFIG=${join(tmp, 'none')}`, `SAMPLE_REPO=${repo}`];
    return run(act, ['push', '-P', 'ubuntu-latest=-self-hosted', ...passed.flatMap((e) => ['--env', e])], { cwd: repo, env, timeoutMs: 180_000 });
  }

  it('fails the job on errors, with annotations, the outputs and the summary', async () => {
    const r = await workflowRun('broad', readFileSync(join(FIX, 'risky-ci-role.yaml'), 'utf8'));
    const log = r.stdout + r.stderr;
    assert.equal(r.code, 1, log);
    assert.match(log, /::error file=rbac\.yaml,line=8,col=5,[^\n]*title=pipeline-rbac not-held::the apiserver will reject this/);
    assert.match(log, /OUTPUTS sarif=\S+\/pipeline-rbac\.sarif errors=3$/m);
    assert.match(log, /Summary - ### Pipeline RBAC/);
    assert.match(log, /^\| error \| \[not\\-held\]/m);
    assert.match(log, /Job failed/);
  });

  it('succeeds on a clean Role', async () => {
    const r = await workflowRun('clean', readFileSync(join(FIX, 'least-privilege-role.yaml'), 'utf8'));
    const log = r.stdout + r.stderr;
    assert.equal(r.code, 0, log);
    assert.match(log, /OUTPUTS sarif=\S+ errors=0$/m);
    assert.match(log, /Job succeeded/);
  });
});
