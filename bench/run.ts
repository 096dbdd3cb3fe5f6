/**
 * `npm run bench`: the numbers issue 5 and issue 7 name, measured, never asserted.
 *   cli         pipeline-rbac check on a generated corpus of 10,000 RBAC documents (target: under 2 s)
 *   lsp         diagnostics latency after an edit in a 2,000-rule file, through the real server over LSP
 *               (target: median under 50 ms with warm caches), and the server's memory (target: under 150 MB)
 *   identities  the identities model over 500 namespaces, 5,000 ServiceAccounts, 10,000 RoleBindings in the test
 *               cluster (target: under 2 s, bounded list requests), and the reach of every identity from one read of it
 *               (target: under 2 s; bench/reach.ts)
 *   hostile     issue 12: `check` CPU and memory on a kind: List of 1,000 and 4,000 Roles, a 200 KB line of quotes, 2 MB of
 *               nesting; typing latency through the server while it indexes a hostile workspace (bench/hostile.ts);
 *               issue 20: the seeded hostile chart and kustomization run at HOSTILE_RENDER_BENCH_INPUTS (default 300)
 *   editor      (only with --only editor: needs code-server, Chromium and `npm run package`) the extension in a cold
 *               code-server window: activation (target 200 ms), first squiggle (target 1.5 s), edit to squiggle
 *               (target 300 ms); bench/editor.ts
 * `npm run bench -- --only cli,lsp` runs a subset. Results also go to .bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer } from '../test/protocol/lspClient';
import { SERVER_EXEC_ARGV } from '../server/src/core/shared/serverProcess';
import { bigRole, corpus } from './corpus';
import { checkFigures, hostileWorkspace, seededRunFigures, typingLatency } from './hostile';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, '.bench');
const only = (process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? process.argv[process.argv.indexOf('--only') + 1] ?? '')
  .split(',')
  .filter((x) => ['cli', 'lsp', 'identities', 'hostile', 'editor'].includes(x));
const want = (name: string) => (name === 'editor' ? only.includes(name) : only.length === 0 || only.includes(name));
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function benchCli(): void {
  const dir = join(OUT, 'corpus');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = corpus(42, 100, 100);
  let bytes = 0;
  for (const f of files) {
    writeFileSync(join(dir, f.name), f.text);
    bytes += Buffer.byteLength(f.text);
  }
  const run = (extra: string[]) => {
    const times: number[] = [];
    let findings = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'check', dir, '--format', 'json', '--output', join(OUT, 'cli-out.json'), ...extra], { encoding: 'utf8' });
      times.push(performance.now() - t);
      if (r.status !== 0 && r.status !== 1) throw new Error(`cli exited ${r.status}: ${r.stderr}`);
      findings = (JSON.parse(readFileSync(join(OUT, 'cli-out.json'), 'utf8')) as { files: { findings: unknown[] }[] }).files.reduce((n, f) => n + f.findings.length, 0);
    }
    return { medianMs: median(times), minMs: Math.min(...times), findings };
  };
  const offline = run([]);
  const held = run(['--held-rules', join(ROOT, 'test/fixtures/rbac/developer-held.yaml')]);
  results.cli = { documents: 10_000, files: files.length, megabytes: +(bytes / 1e6).toFixed(2), offline, heldRules: held, targetMs: 2000 };
  console.log(`cli: 10,000 documents in ${files.length} files (${(bytes / 1e6).toFixed(2)} MB): median ${ms(offline.medianMs)} (min ${ms(offline.minMs)}), ${offline.findings} findings; with --held-rules median ${ms(held.medianMs)}; target 2000 ms`);
}

async function benchLsp(): Promise<void> {
  const text = bigRole(7, 2000);
  // The production bundle with the flags the extension launches it with.
  const lsp = await startServer({ live: { enable: false }, validateDelay: 0 }, {}, [...SERVER_EXEC_ARGV]);
  try {
    const uri = 'file:///bench/big-role.yaml';
    let t = performance.now();
    const first = await lsp.open(uri, text);
    const openMs = performance.now() - t;
    const latencies: number[] = [];
    let current = text;
    const added = '"deletecollection", ';
    let at = 0;
    for (let i = 0; i < 60; i++) {
      // Add a verb to a rule somewhere in the file, then take it out again, as a person editing would.
      if (i % 2 === 0) {
        at = current.indexOf('verbs: [', Math.floor((current.length * ((i * 37) % 100)) / 100)) + 8;
        current = current.slice(0, at) + added + current.slice(at);
      } else current = current.slice(0, at) + current.slice(at + added.length);
      t = performance.now();
      await lsp.change(uri, current);
      latencies.push(performance.now() - t);
    }
    const status = readFileSync(`/proc/${lsp.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    const rssMb = kb('VmRSS') / 1024;
    const peakMb = kb('VmHWM') / 1024;
    const warm = latencies.slice(10);
    results.lsp = { rules: 2000, bytes: text.length, diagnostics: first.length, openMs, editMedianMs: median(warm), editP90Ms: pct(warm, 0.9), editMaxMs: Math.max(...warm), edits: warm.length, rssMb, peakRssMb: peakMb, targets: { editMedianMs: 50, rssMb: 150 } };
    console.log(`lsp: 2,000-rule file (${(text.length / 1024).toFixed(0)} KiB, ${first.length} diagnostics): first analysis ${ms(openMs)}; after an edit median ${ms(median(warm))}, p90 ${ms(pct(warm, 0.9))}, max ${ms(Math.max(...warm))} over ${warm.length} warm edits (target 50 ms)`);
    console.log(`lsp: server memory ${rssMb.toFixed(0)} MB resident, peak ${peakMb.toFixed(0)} MB (target 150 MB)`);
  } finally {
    await lsp.stop();
  }
}

async function benchIdentitiesSection(): Promise<void> {
  const { startCluster, stopClusterNow } = await import('../test/cluster/lifecycle.mjs');
  const { benchIdentities } = await import('./identities');
  const cluster = startCluster();
  try {
    const r = await benchIdentities(cluster.env.KUBECONFIG_ADMIN);
    results.identities = { ...r, targetMs: 2000 };
    console.log(`identities: ${r.identities} identities, ${r.bindings} bindings: full model median ${ms(r.buildMs)} with ${r.listRequests} list requests (target 2000 ms); seeded ${r.objectsSeeded} objects in ${r.seedSeconds.toFixed(0)} s`);
    results.reach = { ...r.reach, targetMs: 2000 };
    console.log(`reach: every one of ${r.reach.identities} identities (${r.reach.reaches} reaches) from one inventory read: median ${ms(r.reach.ms)}, CPU ${ms(r.reach.cpuMs)} (target 2000 ms)`);
  } finally {
    if (cluster.startedHere) stopClusterNow();
  }
}

async function benchEditorSection(): Promise<void> {
  const { startCluster, stopClusterNow } = await import('../test/cluster/lifecycle.mjs');
  const { benchEditor } = await import('./editor');
  const cluster = startCluster();
  try {
    const { runs, debugRun } = await benchEditor(cluster.env.KUBECONFIG_DEVELOPER, Number(process.env.PIPELINE_RBAC_BENCH_RUNS ?? 3));
    const of = (pick: (r: (typeof runs)[number]) => number | undefined) => median(runs.map(pick).filter((x): x is number => x !== undefined));
    const summary = {
      runs: runs.length,
      activationVsCodeMs: of((r) => r.activationVsCodeMs),
      activationOwnMs: of((r) => r.activationOwnMs),
      firstSquiggleMs: of((r) => r.firstSquiggleMs),
      allFindingsMs: of((r) => r.allFindingsMs),
      quickFixMs: of((r) => r.quickFixMs),
      editMs: median(runs.flatMap((r) => r.editMs)),
      targets: { activationMs: 200, firstSquiggleMs: 1500, editMs: 300 },
    };
    results.editor = { ...summary, perRun: runs, debugRun };
    console.log(`editor: medians of ${runs.length} cold windows: activation ${summary.activationVsCodeMs} ms (VS Code) / ${summary.activationOwnMs} ms (activate()); first squiggle ${summary.firstSquiggleMs} ms, all findings ${summary.allFindingsMs} ms after the editor shows the file; quick fix to squiggles ${summary.quickFixMs} ms; edit to squiggles ${summary.editMs} ms`);
    console.log(`editor: breakdown (a run at debug log level, itself slower):\n  ${debugRun.breakdown.join('\n  ')}`);
    if (debugRun.timeline) console.log(`editor: that run's timeline, ms after the editor showed the file:\n  ${debugRun.timeline.join('\n  ')}`);
  } finally {
    if (cluster.startedHere) stopClusterNow();
  }
}

async function benchHostile(): Promise<void> {
  const files = checkFigures(ROOT, OUT);
  for (const f of files) {
    console.log(`hostile: check ${f.name} (${(f.bytes / 1024).toFixed(0)} KiB): ${ms(f.cpuMs)} CPU, peak ${f.maxRssMb.toFixed(0)} MB, exit ${f.exitCode}, ${f.findings ?? 'no'} findings, ${(f.outputBytes / 1024).toFixed(0)} KiB of JSON`);
  }
  const ws = hostileWorkspace(join(OUT, 'hostile-ws'), 24);
  const start = (rootUri: string | null) => startServer({ live: { enable: false }, validateDelay: 0 }, {}, [...SERVER_EXEC_ARGV], rootUri);
  const quiet = await typingLatency(start, null);
  const loading = await typingLatency(start, ws.root);
  rmSync(join(OUT, 'hostile-ws'), { recursive: true, force: true });
  const seeded = seededRunFigures(ROOT, 'yaml');
  console.log(`hostile: ${seeded.inputs} seeded hostile YAML inputs (${seeded.seedLine}): ${seeded.passed ? 'bounded CPU and output, nothing polluted' : 'FAILED (see the test output)'} in ${seeded.seconds.toFixed(0)} s; ${seeded.outcomes.join('; ')}`);
  const renders = seededRunFigures(ROOT, 'render');
  results.hostile = { files, workspace: { files: 24, megabytes: +(ws.bytes / 1e6).toFixed(1), quiet, loading }, seeded, renders };
  console.log(`hostile: ${renders.inputs} seeded hostile charts and kustomizations (${renders.seedLine}): ${renders.passed ? 'no crash, hang, connection, leftover process or planted secret' : 'FAILED (see the test output)'} in ${renders.seconds.toFixed(0)} s; ${renders.outcomes.join(', ')}`);
  const line = (t: typeof quiet) => `median ${ms(t.medianMs)}, p90 ${ms(t.p90Ms)}, max ${ms(t.maxMs)} over ${t.edits} edits`;
  console.log(`hostile: typing in a 200-rule Role, quiet workspace: ${line(quiet)}`);
  console.log(`hostile: same while indexing 24 hostile files (${(ws.bytes / 1e6).toFixed(0)} MB, links to /dev/zero and outside, a 3 GB sparse file): ${line(loading)}; ${loading.editsWhileIndexing} edits before the index finished${loading.indexDoneMs === undefined ? '' : ` (at ${(loading.indexDoneMs / 1000).toFixed(1)} s)`}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  if (want('cli')) benchCli();
  if (want('lsp')) await benchLsp();
  if (want('identities')) await benchIdentitiesSection();
  if (want('hostile')) await benchHostile();
  if (want('editor')) await benchEditorSection();
  writeFileSync(join(OUT, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`results: ${join(OUT, 'results.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
