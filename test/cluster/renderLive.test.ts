/**
 * One analysis path for charts and overlays, against the real apiserver as `developer`: every finding the rendered
 * documents get through standard input (`helm template | check - --live`) comes the same through the chart or overlay
 * folder (`check DIR --live`), and in the editor on the template line; in particular `not-held` (the developer holds
 * no Secret read in team-a, so the apiserver rejects the chart's Role).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { findTool } from '../../server/src/core/render/tools';
import { startServer, type LspSession } from '../protocol/lspClient';
import { clusterKubeconfigs } from './harness';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

interface JsonOut {
  files: { path: string; findings: { ruleId: string; severity: string; message: string; line: number }[] }[];
}

function check(args: string[], input?: string) {
  const live = ['--live', '--kubeconfig', clusterKubeconfigs().developer, '--namespace', 'team-a', '--format', 'json'];
  const r = spawnSync(process.execPath, [CLI, 'check', ...args, ...live], { cwd: ROOT, encoding: 'utf8', ...(input !== undefined ? { input } : {}) });
  return { code: r.status, out: JSON.parse(r.stdout || '{"files":[]}') as JsonOut, stderr: r.stderr };
}

function tool(name: 'helm' | 'kustomize', args: string[]): string {
  const bin = findTool(name);
  assert.ok(bin, `${name} not found: run node scripts/tools/build-tools.mjs`);
  const r = spawnSync(bin, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** What a finding says, without where it is: "(added by this patch)" and the like only tell the place. */
const said = (o: JsonOut) =>
  o.files
    .flatMap((f) => f.findings.map((x) => `${x.severity} ${x.ruleId}: ${x.message.replace(/ \((?:added by this patch|the [^)]*could not be located[^)]*)\)$/, '')}`))
    .sort();

describe('check CHART/OVERLAY --live = rendered output on standard input --live (developer)', () => {
  for (const [dir, render] of [
    ['examples/charts/web', () => tool('helm', ['template', 'web', 'examples/charts/web', '--namespace', 'team-a', '--include-crds'])],
    ['examples/overlays/prod', () => tool('kustomize', ['build', 'examples/overlays/prod'])],
  ] as const) {
    it(`${dir}: the same findings and exit code, not-held included`, () => {
      const folder = check([dir]);
      const stdin = check(['-'], render());
      assert.deepEqual(said(folder.out), said(stdin.out), folder.stderr + stdin.stderr);
      assert.ok(said(folder.out).some((s) => s.startsWith('error not-held: the apiserver will reject this')), said(folder.out).join('\n'));
      assert.deepEqual([folder.code, stdin.code], [1, 1]);
    });
  }
});

describe('a chart template in the editor, live (developer)', () => {
  let lsp: LspSession;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'prb-live-chart-'));
    cpSync(join(ROOT, 'examples/charts/web'), join(dir, 'web'), { recursive: true });
    const settings = { kubeconfig: clusterKubeconfigs().developer, namespace: 'team-a', live: { enable: true }, validateDelay: 0 };
    lsp = await startServer(settings, { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '' }, [], pathToFileURL(dir).href);
  });
  after(async () => {
    await lsp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows not-held on the template line that renders the rule, like check does', async () => {
    const path = join(dir, 'web', 'templates', 'role.yaml');
    const uri = pathToFileURL(path).href;
    await lsp.open(uri, readFileSync(path, 'utf8'));
    const d = await lsp.waitForDiagnostics(uri, (x) => x.some((y) => y.code === 'not-held'));
    const notHeld = d.filter((x) => x.code === 'not-held');
    assert.deepEqual(
      notHeld.map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1}`),
      ['11:16'],
    );
    assert.match(String(notHeld[0]!.message), /user "developer" .*attempting to grant RBAC permissions not currently held: \{APIGroups:\[""\], Resources:\["secrets"\]/);
  });
});
