/**
 * Hostile charts and kustomize overlays (issue 20): links out of the folder (to a planted secret file and to
 * /proc/self/environ), remote references to a local counting server, dependencies with a repository, and templates
 * that take gigabytes, loop or print without end. Used by test/unit/renderTrust.test.ts, the seeded hostile run and
 * `npm run bench -- --only hostile`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import type { Rand } from './hostile';

/** A value planted in this process's environment and in a file outside every chart: it must never be output. */
export const PLANTED_ENV = 'PIPELINE_RBAC_TEST_PLANTED_TOKEN';

export interface Planted {
  envValue: string;
  fileValue: string;
  /** The outside file (holding fileValue). */
  file: string;
  /** A folder outside the chart holding the file. */
  dir: string;
}

export function plantSecrets(root: string): Planted {
  const envValue = `envsecret${Math.random().toString(36).slice(2, 12)}`;
  const fileValue = `filesecret${Math.random().toString(36).slice(2, 12)}`;
  process.env[PLANTED_ENV] = envValue;
  const dir = join(root, 'outside');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'secret.yaml');
  // A Role, so that a plain-file operand that reaches it prints the value in an unknown-verb finding.
  writeFileSync(file, `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: s, namespace: a}\nrules:\n- apiGroups: [""]\n  resources: [pods]\n  verbs: [${fileValue}]\n`);
  return { envValue, fileValue, file, dir };
}

/** A TCP server on 127.0.0.1 that accepts, counts and never answers (what made kustomize wait 30 s). */
export async function countingServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    n++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    connections: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const CHART_YAML = (extra = '') => `apiVersion: v2\nname: web\nversion: 0.1.0\n${extra}`;
const ROLE_WITH = (verbs: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: [""]\n  resources: [pods]\n  verbs: [${verbs}]\n`;

export const CHART_SHAPES = ['link-file', 'link-environ', 'link-dir', 'link-loop', 'dangling', 'link-inside', 'values-link', 'dependency', 'memory', 'output', 'time', 'plain'] as const;
export type ChartShape = (typeof CHART_SHAPES)[number];

/** A chart of one shape in `dir` (created). */
export function hostileChart(dir: string, shape: ChartShape, p: Planted, port: number, r: Rand = Math.random): void {
  put(join(dir, 'Chart.yaml'), CHART_YAML(shape === 'dependency' ? `dependencies:\n- name: dep\n  version: 1.0.0\n  repository: http://127.0.0.1:${port}/charts\n` : ''));
  const files = '{{ .Files.Get "files/notes.txt" | quote }}, {{ .Files.Get "files/env.txt" | quote }}';
  put(join(dir, 'templates', 'role.yaml'), ROLE_WITH(`get, ${files}, {{ .Values.verb | default "list" | quote }}`));
  mkdirSync(join(dir, 'files'), { recursive: true });
  switch (shape) {
    case 'link-file':
      symlinkSync(p.file, join(dir, 'files', 'notes.txt'));
      break;
    case 'link-environ':
      symlinkSync('/proc/self/environ', join(dir, 'files', 'env.txt'));
      break;
    case 'link-dir':
      symlinkSync(p.dir, join(dir, 'files', 'outside'));
      put(join(dir, 'templates', 'glob.yaml'), `kind: ConfigMap\napiVersion: v1\nmetadata: {name: g}\ndata:\n{{ (.Files.Glob "files/outside/*").AsConfig | indent 2 }}\n`);
      break;
    case 'link-loop':
      symlinkSync('..', join(dir, 'files', 'up'));
      break;
    case 'dangling':
      symlinkSync(join(dir, 'nowhere'), join(dir, 'files', 'notes.txt'));
      break;
    case 'link-inside':
      // Stays inside the chart: followed.
      put(join(dir, 'shared', 'notes.txt'), 'watch');
      symlinkSync('../shared/notes.txt', join(dir, 'files', 'notes.txt'));
      break;
    case 'values-link':
      symlinkSync(p.file, join(dir, 'values.yaml'));
      break;
    case 'dependency':
      break;
    case 'memory': {
      const n = 25 + Math.floor(r() * 2);
      put(join(dir, 'templates', 'big.yaml'), `{{- $s := "xxxxxxxxxxxxxxxx" }}{{- range until ${n} }}{{- $s = print $s $s }}{{- end }}\nkind: ConfigMap\ndata: {n: "{{ len $s }}"}\n`);
      break;
    }
    case 'output':
      // 17.6 MB of output, four times the fuzz run's 4 MiB limit (30,000 short ConfigMaps were 2.8 MB: under the
      // limit, so the case passed only when the machine was slow enough to hit the time limit first).
      put(join(dir, 'templates', 'many.yaml'), `{{- range until 100000 }}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: c{{ . }}}\ndata: {v: "{{ . }}${'x'.repeat(64)}"}\n{{- end }}\n`);
      break;
    case 'time':
      put(join(dir, 'templates', 'slow.yaml'), `{{- range until 100000 }}{{- range until 100000 }}{{- end }}{{- end }}\n`);
      break;
    case 'plain':
      break;
  }
}

export const OVERLAY_SHAPES = ['http', 'git', 'ssh', 'github', 'ref-syntax', 'nested', 'patch-url', 'openapi-url', 'helm-repo', 'exec-fn', 'link-out', 'outside-base', 'inline-transformer', 'alias', 'plain'] as const;
export type OverlayShape = (typeof OVERLAY_SHAPES)[number];

/** A workspace with `overlay/` (the overlay to build) and `base/` in `root`; returns the overlay folder. */
export function hostileOverlay(root: string, shape: OverlayShape, p: Planted, port: number): string {
  const overlay = join(root, 'overlay');
  const host = `127.0.0.1:${port}`;
  put(join(root, 'base', 'kustomization.yaml'), 'resources:\n- role.yaml\n');
  put(join(root, 'base', 'role.yaml'), ROLE_WITH('get'));
  const k = (lines: string) => put(join(overlay, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${lines}`);
  switch (shape) {
    case 'http':
      k(`resources:\n- ../base\n- http://${host}/role.yaml\n`);
      break;
    case 'git':
      k(`resources:\n- ../base\n- git::http://${host}/repo.git//base?ref=main\n`);
      break;
    case 'ssh':
      k(`resources:\n- ssh://git@${host}/org/repo.git\n`);
      break;
    case 'github':
      k(`resources:\n- github.com/kubernetes-sigs/kustomize/examples/helloWorld\n`);
      break;
    case 'ref-syntax':
      k(`components:\n- ${host}/org/repo//components/x?ref=v1\n`);
      break;
    case 'nested':
      k('resources:\n- ../base\n');
      put(join(root, 'base', 'kustomization.yaml'), `resources:\n- role.yaml\n- https://${host}/more.yaml\n`);
      break;
    case 'patch-url':
      k(`resources:\n- ../base\npatches:\n- path: http://${host}/patch.yaml\n`);
      break;
    case 'openapi-url':
      k(`resources:\n- ../base\nopenapi:\n  path: http://${host}/schema.json\n`);
      break;
    case 'helm-repo':
      k(`helmCharts:\n- name: web\n  repo: http://${host}/charts\n  version: 1.0.0\n`);
      break;
    case 'exec-fn':
      // A KRM exec function: must never run (no --enable-alpha-plugins / --enable-exec).
      put(join(overlay, 'fn.yaml'), `apiVersion: example.com/v1\nkind: Touch\nmetadata:\n  name: t\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./touch.sh\n`);
      put(join(overlay, 'touch.sh'), `#!/bin/sh\ntouch ${join(root, 'ran')}\ncat\n`);
      execFileSync('chmod', ['+x', join(overlay, 'touch.sh')]);
      k('resources:\n- ../base\ntransformers:\n- fn.yaml\n');
      break;
    case 'link-out':
      mkdirSync(overlay, { recursive: true });
      symlinkSync(p.file, join(overlay, 'secret.yaml'));
      k('resources:\n- ../base\n- secret.yaml\n');
      break;
    case 'outside-base':
      k(`resources:\n- ${p.dir}\n`);
      put(join(p.dir, 'kustomization.yaml'), 'resources:\n- secret.yaml\n');
      break;
    case 'inline-transformer':
      k(`resources:\n- ../base\ntransformers:\n- |-\n  apiVersion: builtin\n  kind: PatchTransformer\n  metadata: {name: p}\n  path: http://${host}/p.yaml\n`);
      break;
    case 'alias':
      k(`x: &remote http://${host}/a.yaml\nresources:\n- ../base\n- *remote\n`);
      break;
    case 'plain':
      k('resources:\n- ../base\n');
      break;
  }
  return overlay;
}

/** Processes whose command line mentions `needle` (left behind by a render), from /proc. */
export function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  const pids = readdirSync('/proc').filter((x) => /^\d+$/.test(x));
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle)) out.push(`${pid}: ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}

export interface RenderCase {
  kind: 'chart' | 'kustomize';
  shape: ChartShape | OverlayShape;
  /** Whether the kustomization or template was also mutated (seeded byte edits). */
  mutated: boolean;
}

/** The seeded choice of one case: every shape in turn, a third of them mutated. */
export function renderCase(r: Rand, i: number): RenderCase {
  const all = [...CHART_SHAPES.map((s) => ({ kind: 'chart' as const, shape: s })), ...OVERLAY_SHAPES.map((s) => ({ kind: 'kustomize' as const, shape: s }))];
  const pickOne = i < all.length ? all[i]! : all[Math.floor(r() * all.length)]!;
  return { ...pickOne, mutated: r() < 0.33 };
}

export interface HostileScene {
  root: string;
  planted: Planted;
  server: Awaited<ReturnType<typeof countingServer>>;
}

/** A temporary root with planted secrets and a counting server, for one test file (node:test before/after). */
export function hostileScene(prefix: string, hooks: { before: (f: () => Promise<void>) => void; after: (f: () => Promise<void>) => void }): HostileScene {
  const scene = {} as HostileScene;
  hooks.before(async () => {
    scene.root = mkdtempSync(join(tmpdir(), prefix));
    scene.planted = plantSecrets(scene.root);
    scene.server = await countingServer();
  });
  hooks.after(async () => {
    await scene.server.close();
    delete process.env[PLANTED_ENV];
    rmSync(scene.root, { recursive: true, force: true });
  });
  return scene;
}
