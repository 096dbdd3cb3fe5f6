// Issue 20, item 1 through the CLI's own code (in process, real helm): `check` of a chart with links out prints
// nothing of the outside file or the environment in text, JSON or SARIF; the CLI's file and folder operands do not
// follow links out of their folder; `identity verify --manifests chart/` refuses before it opens any connection.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../server/src/cli/check';
import { UsageError } from '../../server/src/cli/errors';
import { expandOperands } from '../../server/src/cli/files';
import { runVerify } from '../../server/src/cli/verify';
import { hostileChart, hostileScene } from './helpers/hostileRender';

const scene = hostileScene('prb-cli-trust-', { before, after });

describe('check and verify never output or send what lies outside the folder', () => {
  it('check chart/ with links to a file and to /proc/self/environ: one render-error naming the link, no secret in any format', async () => {
    for (const shape of ['link-file', 'link-environ'] as const) {
      const ws = join(scene.root, `check-${shape}`);
      hostileChart(join(ws, 'chart'), shape, scene.planted, scene.server.port);
      for (const format of ['text', 'json', 'sarif']) {
        const out = join(ws, `out.${format}`);
        const code = await runCheck(['chart', '--format', format, '--output', out], { version: '0.0.0', cwd: ws });
        const text = readFileSync(out, 'utf8');
        assert.equal(code, 1, `${shape} ${format}: a render-error fails the gate`);
        assert.match(text, /render-error/);
        assert.match(text, /files\/(notes|env)\.txt leads outside the folder/);
        assert.ok(!text.includes(scene.planted.envValue) && !text.includes(scene.planted.fileValue), `${shape} ${format}: no scene.planted secret`);
      }
    }
  });

  it('a chart operand that is itself a link to a chart outside the working directory: refused, nothing of it output', async () => {
    const ws = join(scene.root, 'chart-link');
    const elsewhere = join(scene.planted.dir, 'chart');
    hostileChart(elsewhere, 'plain', scene.planted, scene.server.port);
    writeFileSync(join(elsewhere, 'values.yaml'), `verb: ${scene.planted.fileValue}\n`);
    mkdirSync(ws, { recursive: true });
    symlinkSync(elsewhere, join(ws, 'chart'));
    const out = join(ws, 'out.txt');
    assert.equal(await runCheck(['chart', '--output', out], { version: '0.0.0', cwd: ws }), 1);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /helm template refused: chart leads outside \S+ \(a symbolic link to /);
    assert.ok(!text.includes(scene.planted.fileValue));
  });

  it('file and folder operands: links inside a folder are not followed; a named link out is exit 2 naming it', async () => {
    const ws = join(scene.root, 'operands');
    mkdirSync(join(ws, 'rbac'), { recursive: true });
    writeFileSync(join(ws, 'rbac', 'ok.yaml'), 'kind: Role\n');
    symlinkSync(scene.planted.file, join(ws, 'rbac', 'x.yaml'));
    symlinkSync(scene.planted.dir, join(ws, 'linked'));
    symlinkSync('ok.yaml', join(ws, 'rbac', 'inside.yaml'));
    // Inside a directory or glob, links are not followed at all (as in the editor's workspace index).
    assert.deepEqual((await expandOperands(['rbac'], ws)).map((f) => f.slice(ws.length + 1)), ['rbac/ok.yaml']);
    assert.deepEqual((await expandOperands(['rbac/*.yaml'], ws)).map((f) => f.slice(ws.length + 1)), ['rbac/ok.yaml']);
    // A link named as the operand, or a named folder that is a link out: an error that names it.
    await assert.rejects(expandOperands(['rbac/x.yaml'], ws), (e: unknown) => e instanceof UsageError && /rbac\/x\.yaml: a symbolic link to .*secret\.yaml, outside/.test(e.message));
    await assert.rejects(expandOperands(['linked'], ws), (e: unknown) => e instanceof UsageError && /linked: leads outside/.test(e.message));
    await assert.rejects(expandOperands(['linked/*.yaml'], ws), UsageError);
    assert.deepEqual((await expandOperands(['rbac/inside.yaml'], ws)).map((f) => f.slice(ws.length + 1)), ['rbac/inside.yaml']);
    const out = join(ws, 'out.json');
    await runCheck(['rbac', '--format', 'json', '--output', out], { version: '0.0.0', cwd: ws });
    assert.ok(!readFileSync(out, 'utf8').includes(scene.planted.fileValue));
  });

  it('identity verify --manifests chart/: refused on the link, no connection to the API server', async () => {
    const ws = join(scene.root, 'verify');
    hostileChart(join(ws, 'chart'), 'link-environ', scene.planted, scene.server.port);
    const kubeconfig = join(ws, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:${scene.server.port}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`,
    );
    const before = scene.server.connections();
    await assert.rejects(
      runVerify(['--namespace', 'a', '--name', 'ci', '--manifests', 'chart', '--kubeconfig', kubeconfig], ws),
      (e: unknown) => e instanceof UsageError && /files\/env\.txt leads outside the folder/.test(e.message) && !e.message.includes(scene.planted.envValue),
    );
    assert.equal(scene.server.connections(), before, 'nothing was sent to the API server');
  });
});
