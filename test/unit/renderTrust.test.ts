// Issue 20, items 1-3, with the REAL helm and kustomize: a chart or overlay reads nothing outside its folder and
// nothing of this process's environment, opens no connection (a local counting server proves it), leaves no process
// behind, and a render that hits a limit (time, output, memory) is a render-error that names the limit.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderChart } from '../../server/src/core/render/helm';
import { buildOverlay } from '../../server/src/core/render/kustomize';
import type { RenderOutcome } from '../../server/src/core/render/outcome';
import { openRoom } from '../../server/src/core/render/room';
import { DEFAULT_RUN_LIMITS, RunLimitError, runBounded } from '../../server/src/core/render/run';
import { findTool } from '../../server/src/core/render/tools';
import { hostileChart, hostileOverlay, hostileScene, processesMentioning, PLANTED_ENV, type ChartShape, type OverlayShape } from './helpers/hostileRender';

for (const tool of ['helm', 'kustomize'] as const) {
  if (!findTool(tool)) throw new Error(`${tool} not found: run \`node scripts/tools/build-tools.mjs\` first`);
}

const scene = hostileScene('prb-trust-', { before, after });
let n = 0;
const fresh = () => {
  const d = join(scene.root, `case${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};
const everything = (o: RenderOutcome) => JSON.stringify(o.ok ? { text: o.set.text, files: o.set.files() } : o.error);
const noSecret = (o: RenderOutcome, where: string) => {
  const all = everything(o);
  assert.ok(!all.includes(scene.planted.envValue), `${where}: the planted environment value reached the render`);
  assert.ok(!all.includes(scene.planted.fileValue), `${where}: the outside file's content reached the render`);
};

async function chart(shape: ChartShape, limits = DEFAULT_RUN_LIMITS): Promise<{ dir: string; out: RenderOutcome }> {
  const dir = join(fresh(), 'web');
  // r() = 0.99: the memory shape at the 26 doublings.
  hostileChart(dir, shape, scene.planted, scene.server.port, () => 0.99);
  const out = await renderChart(dir, { namespace: 'a', display: (a) => relative(dir, a), limits }, dir);
  return { dir, out };
}

describe('item 1: a chart reads nothing outside its folder, nothing of our environment', () => {
  it('a link to an outside file and to /proc/self/environ: refused, naming the link, nothing of either rendered', async () => {
    for (const [shape, link] of [['link-file', 'files/notes.txt'], ['link-environ', 'files/env.txt'], ['link-dir', 'files/outside']] as const) {
      const { out } = await chart(shape);
      noSecret(out, shape);
      assert.ok(!out.ok, `${shape}: not a clean render`);
      assert.match(out.error.message, new RegExp(`helm template refused: ${link.replace('.', '\\.')} leads outside the folder`), shape);
      assert.equal(out.error.path, 'Chart.yaml');
    }
  });

  it('a loop and a dangling link are refused; a link that stays inside is followed', async () => {
    const loop = await chart('link-loop');
    assert.ok(!loop.out.ok && /files\/up is a symbolic link to a folder that contains it/.test(loop.out.error.message), everything(loop.out));
    const dangling = await chart('dangling');
    assert.ok(!dangling.out.ok && /files\/notes\.txt is a symbolic link to nothing/.test(dangling.out.error.message), everything(dangling.out));
    const inside = await chart('link-inside');
    assert.ok(inside.out.ok, everything(inside.out));
    assert.match(inside.out.set.text, /verbs: \[get, "watch", "", "list"\]/);
  });

  it('the tools get their own HOME, cache, config and data folders and none of our variables', async () => {
    process.env.HELM_CACHE_HOME = join(scene.root, 'inherited-helm-cache');
    process.env.HELM_KUBETOKEN = scene.planted.envValue;
    const room = await openRoom();
    try {
      const r = await runBounded(findTool('helm')!, ['env'], { cwd: room.src, env: room.env });
      assert.equal(r.code, 0, r.stderr);
      for (const v of ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HELM_REPOSITORY_CONFIG', 'HELM_PLUGINS']) {
        assert.match(r.stdout, new RegExp(`^${v}="${room.dir}/`, 'm'), `${v} is under the render room`);
      }
      assert.match(r.stdout, /^HELM_KUBETOKEN=""$/m, 'an inherited HELM_* variable does not reach helm');
      assert.ok(!r.stdout.includes(scene.root) && !r.stdout.includes(scene.planted.envValue), 'nothing inherited');
      assert.deepEqual(Object.keys(room.env).filter((k) => k in process.env && room.env[k] === process.env[k] && k !== 'NO_PROXY'), []);
      assert.ok(!(PLANTED_ENV in room.env));
    } finally {
      delete process.env.HELM_CACHE_HOME;
      delete process.env.HELM_KUBETOKEN;
      await room.close();
    }
  });
});

describe('item 2: no connection, no remote fetch, no process left behind', () => {
  const refusals: [OverlayShape, RegExp][] = [
    ['http', /resources "http:\/\/127\.0\.0\.1:\d+\/role\.yaml" is remote/],
    ['git', /resources "git::http:\/\/127\.0\.0\.1:\d+\/repo\.git\/\/base\?ref=main" is remote/],
    ['ssh', /resources "ssh:\/\/git@127\.0\.0\.1:\d+\/org\/repo\.git" is remote/],
    ['github', /resources "github\.com\/kubernetes-sigs\/kustomize\/examples\/helloWorld" is not a file or folder here, and kustomize would fetch it as a remote repository/],
    ['ref-syntax', /components "127\.0\.0\.1:\d+\/org\/repo\/\/components\/x\?ref=v1" is remote/],
    ['patch-url', /patches\[\]\.path "http:.*" is remote/],
    ['openapi-url', /openapi\.path "http:.*" is remote/],
    ['helm-repo', /helmCharts\[\]\.repo "http:.*" names a chart repository/],
    ['inline-transformer', /transformers \(inline\) path "http:.*" is remote/],
    ['alias', /resources "http:.*\/a\.yaml" is remote/],
    ['outside-base', /is outside \.; only folders inside it are rendered/],
    ['link-out', /secret\.yaml leads outside the folder/],
  ];
  for (const [shape, message] of refusals) {
    it(`${shape}: refused before kustomize runs, on the line that names it`, async () => {
      const ws = fresh();
      const overlay = hostileOverlay(ws, shape, scene.planted, scene.server.port);
      const before = scene.server.connections();
      const out = await buildOverlay(overlay, { display: (a) => relative(ws, a), allowedRoot: ws }, ws);
      assert.equal(scene.server.connections(), before, 'no connection opened');
      noSecret(out, shape);
      assert.ok(!out.ok, `${shape}: ${everything(out)}`);
      assert.match(out.error.message, message);
      assert.equal(out.error.path, 'overlay/kustomization.yaml');
      if (shape !== 'outside-base' && shape !== 'link-out') {
        const line = out.error.text.slice(out.error.span.start, out.error.span.end);
        assert.ok(line.length > 0 && (shape === 'alias' ? line === '*remote' : message.test(`${out.error.message}`)), `span on the entry: ${line}`);
      }
    });
  }

  it('a remote entry in a nested base: refused on that base line', async () => {
    const ws = fresh();
    const overlay = hostileOverlay(ws, 'nested', scene.planted, scene.server.port);
    const before = scene.server.connections();
    const out = await buildOverlay(overlay, { display: (a) => relative(ws, a), allowedRoot: ws }, ws);
    assert.equal(scene.server.connections(), before);
    assert.ok(!out.ok);
    assert.equal(out.error.path, 'base/kustomization.yaml');
    assert.equal(out.error.text.slice(out.error.span.start, out.error.span.end), `https://127.0.0.1:${scene.server.port}/more.yaml`);
  });

  it('an exec KRM function never runs; a plain overlay still builds', async () => {
    const ws = fresh();
    const out = await buildOverlay(hostileOverlay(ws, 'exec-fn', scene.planted, scene.server.port), { display: (a) => relative(ws, a), allowedRoot: ws }, ws);
    assert.ok(!existsSync(join(ws, 'ran')), 'the function ran');
    assert.ok(!out.ok, 'kustomize refuses external plugins without --enable-alpha-plugins');
    const plain = fresh();
    const ok = await buildOverlay(hostileOverlay(plain, 'plain', scene.planted, scene.server.port), { display: (a) => relative(plain, a), allowedRoot: plain }, plain);
    assert.ok(ok.ok, everything(ok));
    assert.match(ok.set.text, /kind: Role/);
  });

  it("a chart's dependency with a repository is never fetched", async () => {
    const before = scene.server.connections();
    const { out } = await chart('dependency');
    assert.equal(scene.server.connections(), before);
    assert.ok(!out.ok && /missing in charts\/ directory: dep/.test(out.error.message), everything(out));
  });

  it('the whole process group dies at the time limit and on cancel; the room is removed', async () => {
    const marker = `${30_000 + Math.floor(Math.random() * 10_000)}.5`;
    const room = await openRoom();
    const sh = '/bin/sh';
    // A tool that starts a child which would outlive it (as kustomize's git did), then waits.
    const start = (signal?: AbortSignal) => runBounded(sh, ['-c', `/bin/sleep ${marker} & /bin/sleep ${marker}`], { cwd: room.src, env: room.env, limits: { ...DEFAULT_RUN_LIMITS, timeoutMs: 500 }, signal });
    await assert.rejects(start(), (e: unknown) => e instanceof RunLimitError && e.limit === 'time');
    assert.deepEqual(processesMentioning(`sleep ${marker}`), []);
    const ac = new AbortController();
    const p = start(ac.signal);
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(p, /cancelled/);
    assert.deepEqual(processesMentioning(`sleep ${marker}`), []);
    await room.close();
    assert.ok(!existsSync(room.dir));
  });

  it('no render leaves its room behind', () => {
    assert.deepEqual(readdirSync(tmpdir()).filter((f) => f.startsWith('pipeline-rbac-render-') && processesMentioning(f).length), []);
  });
});

describe('item 3: a render that hits a limit is a render-error naming it', () => {
  it('memory: the 2^26 doubling template is stopped at the memory limit, never "no problems"', async () => {
    const { out } = await chart('memory');
    assert.ok(!out.ok, 'not a clean result');
    assert.match(out.error.message, /^helm template stopped: helm (used more than 1024 MiB of memory|ran out of memory)/);
  });

  it('time and output: stopped, saying which limit', async () => {
    const slow = await chart('time', { ...DEFAULT_RUN_LIMITS, timeoutMs: 2000 });
    assert.ok(!slow.out.ok && /did not finish within 2 s \(the time limit of a render\)/.test(slow.out.error.message), everything(slow.out));
    const big = await chart('output', { ...DEFAULT_RUN_LIMITS, maxOutputBytes: 1024 * 1024 });
    assert.ok(!big.out.ok && /wrote more than 1 MiB \(the output limit of a render\)/.test(big.out.error.message), everything(big.out));
  });
});
