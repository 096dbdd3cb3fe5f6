/**
 * `npm run bench -- --only hostile`: the figures issue 12 names, measured, never asserted.
 *   files      `pipeline-rbac check` on a kind: List of 1,000 and 4,000 Roles, a 200 KB line of quotes and 2 MB of
 *              nesting: CPU and peak memory of the CLI process, findings, output bytes
 *   workspace  diagnostics latency after an edit, through the real server over LSP, while it indexes a workspace of
 *              large hostile files (and links to /dev/zero and outside, a 3 GB sparse file); against a quiet workspace
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LspSession } from '../test/protocol/lspClient';
import { nesting, quotesLine, roleList, wideRole } from '../test/unit/helpers/hostile';
import { bigRole } from './corpus';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;

export interface FileFigure {
  name: string;
  bytes: number;
  cpuMs: number;
  maxRssMb: number;
  exitCode: number | null;
  findings: number | undefined;
  outputBytes: number;
}

/** `check` on one file in a child process, with its CPU and peak memory (read at exit by bench/rusage.cjs). */
export function checkFigures(root: string, out: string): FileFigure[] {
  const dir = join(out, 'hostile-files');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const held = ['--held-rules', join(root, 'test/fixtures/rbac/developer-held.yaml')];
  const cases: [string, string, string[]?][] = [
    // Issue 20: n^4 atoms in one rule; not-held and its message are computed per dimension.
    ['Role, 35 entries in each list, --held-rules', wideRole(35), held],
    ['Role, 60 entries in each list, --held-rules', wideRole(60), held],
    ['kind: List, 1,000 Roles', roleList(1000)],
    ['kind: List, 4,000 Roles', roleList(4000)],
    ['200 KB line of "', quotesLine(200_000)],
    ['2 MB of [', '['.repeat(2 * 1024 * 1024)],
    ['Role with 2 MB of [ as rules', nesting(2 * 1024 * 1024)],
  ];
  return cases.map(([name, text, extra = []], i) => {
    const file = join(dir, `case${i}.yaml`);
    const result = join(dir, `case${i}.json`);
    writeFileSync(file, text);
    rmSync(result, { force: true });
    const r = spawnSync(process.execPath, ['--require', join(root, 'bench/rusage.cjs'), join(root, 'dist/cli.js'), 'check', file, ...extra, '--format', 'json', '--output', result], { encoding: 'utf8', timeout: 300_000 });
    const usage = /RUSAGE (\{.*\})/.exec(r.stderr ?? '');
    const u = usage ? (JSON.parse(usage[1]!) as { cpuMs: number; maxRssMb: number }) : { cpuMs: NaN, maxRssMb: NaN };
    let findings: number | undefined;
    let outputBytes = 0;
    try {
      const json = readFileSync(result, 'utf8');
      outputBytes = Buffer.byteLength(json);
      findings = (JSON.parse(json) as { files: { findings: unknown[] }[] }).files.reduce((n, f) => n + f.findings.length, 0);
    } catch {
      // no output: the process died (the figure shows its exit code)
    }
    return { name, bytes: Buffer.byteLength(text), cpuMs: u.cpuMs, maxRssMb: u.maxRssMb, exitCode: r.status, findings, outputBytes };
  });
}

/** A workspace that costs the most to index: large hostile files that mention `kind: Role`, links, a sparse file. */
export function hostileWorkspace(dir: string, files: number): { root: string; bytes: number } {
  rmSync(dir, { recursive: true, force: true });
  const root = join(dir, 'ws');
  mkdirSync(join(root, 'big'), { recursive: true });
  mkdirSync(join(dir, 'outside'), { recursive: true });
  const MB = 1024 * 1024;
  const header = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x}\n';
  const shapes = [
    () => header + quotesLine(1.9 * MB),
    () => roleList(11_000),
    () => header + `rules: ${'['.repeat(1.9 * MB)}\n`,
    () => header + `rules: ${'- '.repeat(0.95 * MB)}\n`,
  ];
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const text = shapes[i % shapes.length]!();
    writeFileSync(join(root, 'big', `f${i}.yaml`), text);
    bytes += text.length;
  }
  writeFileSync(join(dir, 'outside', 'role.yaml'), roleList(11_000));
  symlinkSync('/dev/zero', join(root, 'zero.yaml'));
  symlinkSync(join(dir, 'outside'), join(root, 'outside-link'));
  writeFileSync(join(root, 'huge.yaml'), header);
  truncateSync(join(root, 'huge.yaml'), 3 * 1024 * MB);
  return { root, bytes };
}

export interface TypingFigure {
  edits: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
  /** Edits answered before the workspace index reported (it logs what it skipped when it is done). */
  editsWhileIndexing: number;
  indexDoneMs: number | undefined;
}

/**
 * Edit-to-diagnostics latency in a 200-rule Role while the server indexes `root` (null: no workspace), through
 * `start` (the real server over LSP).
 */
export async function typingLatency(start: (rootUri: string | null) => Promise<LspSession>, root: string | null, edits = 40, perEditTimeoutMs = 120_000): Promise<TypingFigure> {
  const lsp = await start(root ? pathToFileURL(root).href : null);
  const t0 = performance.now();
  let indexDoneMs: number | undefined;
  const indexDone = () => lsp.notifications('window/logMessage').some((p) => /workspace roles/.test(String((p as { message: string }).message)));
  try {
    const uri = root ? pathToFileURL(join(root, 'rbac', 'role.yaml')).href : 'file:///bench/role.yaml';
    let current = bigRole(11, 200);
    await lsp.open(uri, current);
    const latencies: number[] = [];
    let whileIndexing = 0;
    const added = '"deletecollection", ';
    let at = 0;
    for (let i = 0; i < edits; i++) {
      if (i % 2 === 0) {
        at = current.indexOf('verbs: [', Math.floor((current.length * ((i * 37) % 100)) / 100)) + 8;
        current = current.slice(0, at) + added + current.slice(at);
      } else current = current.slice(0, at) + current.slice(at + added.length);
      const t = performance.now();
      // The client gives up after 10 s: such an edit counts as never answered.
      const answered = lsp.change(uri, current).then(
        () => performance.now() - t,
        () => Infinity,
      );
      const timedOut = new Promise<number>((r) => setTimeout(() => r(Infinity), perEditTimeoutMs).unref());
      const ms = await Promise.race([answered, timedOut]);
      latencies.push(ms);
      if (indexDoneMs === undefined && indexDone()) indexDoneMs = performance.now() - t0;
      if (indexDoneMs === undefined) whileIndexing++;
      if (ms === Infinity) break;
      // About the pace of typing.
      await new Promise((r) => setTimeout(r, 100));
    }
    // How long the index took in all (it logs what it skipped when done), waited for up to three minutes.
    for (let waited = 0; root && indexDoneMs === undefined && waited < 180_000; waited += 200) {
      if (indexDone()) indexDoneMs = performance.now() - t0;
      else await new Promise((r) => setTimeout(r, 200));
    }
    return { edits: latencies.length, medianMs: median(latencies), p90Ms: pct(latencies, 0.9), maxMs: Math.max(...latencies), editsWhileIndexing: whileIndexing, indexDoneMs };
  } finally {
    await lsp.stop();
  }
}

export interface RenderRunFigure {
  inputs: number;
  passed: boolean;
  seconds: number;
  seedLine: string;
  outcomes: string[];
}

/**
 * A seeded run of test/unit/hostileInput.test.ts at a larger count than CI's: the YAML inputs (CI 10,000;
 * HOSTILE_BENCH_INPUTS, default 100,000) or the charts and kustomizations (CI 30; HOSTILE_RENDER_BENCH_INPUTS, default
 * 300). The test's own assertions (bounded CPU and output; no crash, hang, connection, leftover process or planted
 * secret) decide `passed`.
 */
export function seededRunFigures(root: string, which: 'yaml' | 'render'): RenderRunFigure {
  const yaml = which === 'yaml';
  const inputs = yaml ? Number(process.env.HOSTILE_BENCH_INPUTS ?? 100_000) : Number(process.env.HOSTILE_RENDER_BENCH_INPUTS ?? 300);
  const t = performance.now();
  const pattern = yaml ? 'seeded hostile inputs: bounded' : 'charts and kustomizations';
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-name-pattern=${pattern}`, join(root, 'test/unit/hostileInput.test.ts')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, [yaml ? 'HOSTILE_INPUTS' : 'HOSTILE_RENDER_INPUTS']: String(inputs) },
    timeout: 3 * 3600_000,
  });
  const out = r.stdout ?? '';
  return {
    inputs,
    passed: r.status === 0,
    seconds: (performance.now() - t) / 1000,
    seedLine: (yaml ? /hostile inputs: seed \d+/ : /hostile renders: seed \d+/).exec(out)?.[0] ?? 'no seed printed',
    outcomes: yaml ? [...out.matchAll(/^# {3}([\w-]+: \d+ inputs, .* max \d+ ms CPU)/gm)].map((m) => m[1]!) : [...out.matchAll(/^# {3}((?:chart|kustomize) \w+: \d+)$/gm)].map((m) => m[1]!),
  };
}
