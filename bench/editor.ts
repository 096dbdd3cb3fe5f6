/**
 * The editor bench (`npm run bench -- --only editor`): the extension in code-server + Chromium, as a person sees it,
 * in a cold window each run (fresh user data, the packaged .vsix), live against the test cluster as `developer` on a
 * copy of examples/. Measures, never asserts:
 *   activation      VS Code's own figure (Show Running Extensions) and the extension's ("activated in N ms")
 *   first squiggle  from the editor showing ci/too-broad-role.yaml to its first squiggle, and to all its findings
 *                   (the live not-held errors included)
 *   quick fix       from applying "Remove "secrets" from resources" to the squiggles updated
 *   edit            from an undo or redo keystroke to the squiggles updated (median of several)
 * and the breakdown the extension logs at debug level (client: activation, server start, didOpen; server: offline
 * and live publishes). Needs scripts/install-e2e-deps.sh's code-server and Chromium, and `npm run package`.
 */
import { join } from 'node:path';
import { startCodeServer } from '../test/e2e/support/codeServer';
import { copyExamples } from '../test/e2e/support/editorScenario';
import { positionOf, sleep } from '../test/e2e/support/util';
import { openWorkbench, type Workbench } from '../test/e2e/support/workbench';
import { extensionMarks, formatTimeline, vsCodeMarks } from './editorTimeline';

const BROAD = 'ci/too-broad-role.yaml';
/** The too-broad Role's findings for developer (test/e2e/editor.test.ts lists them), before and after the quick fix. */

export interface EditorRun {
  activationVsCodeMs?: number;
  activationOwnMs?: number;
  firstSquiggleMs: number;
  allFindingsMs: number;
  quickFixMs: number;
  editMs: number[];
  breakdown: string[];
  /** Debug runs: VS Code's and the extension's steps, ms relative to the editor showing the file (editorTimeline.ts). */
  timeline?: string[];
}

/** Squiggles in the active editor, as decorations rendered in the DOM. */
async function squiggles(wb: Workbench): Promise<number> {
  return wb.page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document;
    return doc.querySelectorAll('.editor-group-container.active .monaco-editor .view-overlays [class*="squiggly-"]').length;
  });
}

/** The status bar's problem counts as VS Code states them, e.g. "Errors: 6, Warnings: 14, Infos: 9". */
async function problems(wb: Workbench): Promise<string> {
  return wb.page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { getElementById(id: string): { querySelector(s: string): { getAttribute(a: string): string | null } | null } | null } }).document;
    return doc.getElementById('status.problems')?.querySelector('[aria-label]')?.getAttribute('aria-label') ?? '';
  });
}

/** Milliseconds from `since` until `read()` satisfies `done`, polling about every 10 ms. */
async function until<T>(read: () => Promise<T>, since: number, done: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<number> {
  for (;;) {
    const v = await read();
    if (done(v)) return Date.now() - since;
    if (Date.now() - since > timeoutMs) throw new Error(`editor bench: ${what} not seen within ${timeoutMs} ms (last ${JSON.stringify(v)})`);
    await sleep(10);
  }
}

/**
 * Milliseconds from `since` to the last change of `read()` before it held still for `quietMs` (and `ready()` holds):
 * when the final state first showed, without naming it in advance (the rules change; the bench should not).
 */
async function settled(read: () => Promise<string>, since: number, ready: () => Promise<boolean>, what: string, quietMs = 2_000, timeoutMs = 60_000): Promise<{ ms: number; value: string }> {
  let value = await read();
  let changedAt = Date.now();
  for (;;) {
    await sleep(10);
    const now = await read();
    if (now !== value) {
      value = now;
      changedAt = Date.now();
    } else if (Date.now() - changedAt >= quietMs && (await ready())) return { ms: changedAt - since, value };
    if (Date.now() - since > timeoutMs) throw new Error(`editor bench: ${what} did not settle within ${timeoutMs} ms (last ${value})`);
  }
}

/** The extension's status bar item says the live check is in (context and user shown). */
async function liveConnected(wb: Workbench): Promise<boolean> {
  return (await wb.statusBarItems()).some((i) => /live permissions of/.test(i.tooltip));
}

export interface EditorBenchOptions {
  debug?: boolean;
  afterHostReady?: boolean;
  /** Another .vsix than dist/pipeline-rbac.vsix, e.g. an earlier build to compare with. */
  vsix?: string;
}

/**
 * One cold window; `debug` runs code-server with `--log debug`, for the extension's timing lines (slower itself);
 * `afterHostReady` opens the file once the extension host has started its eager extensions (the extension still cold),
 * otherwise as soon as the workbench shows, while the extension host may still be booting.
 */
export async function benchEditorOnce(kubeconfig: string, name: string, options: EditorBenchOptions = {}): Promise<EditorRun> {
  const { debug = false, afterHostReady = false, vsix } = options;
  const scratch = copyExamples();
  const server = await startCodeServer({ name, workspace: scratch.root, env: { KUBECONFIG: kubeconfig }, ...(vsix ? { vsix } : {}), ...(debug ? { args: ['--log', 'debug'] } : {}) });
  let wb: Workbench | undefined;
  try {
    const w = (wb = await openWorkbench(server.url, { server }));
    if (afterHostReady) await until(async () => /Eager extensions activated/.test(server.extensionHostLog()), Date.now(), Boolean, 'the extension host', 120_000);
    await w.openFile(BROAD);
    const shown = Date.now();
    const firstSquiggleMs = await until(() => squiggles(w), shown, (n) => n > 0, 'a first squiggle');
    const squiggledAt = Date.now();
    const all = await settled(() => problems(w), shown, () => liveConnected(w), 'all findings');
    const allFindingsMs = all.ms;

    const text = scratch.read(BROAD);
    await w.quickFix(positionOf(text, 'secrets'), 'Remove "secrets" from resources');
    const fixed = Date.now();
    const afterFix = await settled(() => problems(w), fixed, async () => true, 'the quick fix diagnostics');
    if (afterFix.value === all.value) throw new Error(`editor bench: the quick fix changed no diagnostics (${all.value})`);
    const quickFixMs = afterFix.ms;
    const editMs: number[] = [];
    for (let i = 0; i < 6; i++) {
      await sleep(400);
      const undo = i % 2 === 0;
      const t = Date.now();
      await w.page.keyboard.press(undo ? 'Control+Z' : 'Control+Shift+Z');
      editMs.push(await until(() => problems(w), t, (p) => p === (undo ? all.value : afterFix.value), undo ? 'the undo diagnostics' : 'the redo diagnostics'));
    }
    const timeline = debug ? [...(await vsCodeMarks(w)), { at: shown, what: 'bench: the editor shows the file' }, { at: squiggledAt, what: 'bench: first squiggle in the DOM' }] : undefined;
    const ext = (await wb.runningExtensions()).find((e) => e.name === 'Pipeline RBAC for Kubernetes');
    const channel = server.outputChannelLog('Pipeline RBAC') ?? '';
    const own = /activated in (\d+) ms/.exec(channel);
    const breakdown = channel.split('\n').filter((l) => /timing:|activated in|language server|identity stack/.test(l)).slice(0, 16);
    return {
      ...(ext?.activationMs !== undefined ? { activationVsCodeMs: ext.activationMs } : {}),
      ...(own ? { activationOwnMs: Number(own[1]) } : {}),
      firstSquiggleMs,
      allFindingsMs,
      quickFixMs,
      editMs,
      breakdown,
      ...(timeline ? { timeline: formatTimeline([...timeline, ...extensionMarks(channel)], shown) } : {}),
    };
  } finally {
    await wb?.close();
    await server.stop();
    scratch.remove();
  }
}

/** `runs` measured cold windows, then one at debug log level for the breakdown. */
export async function benchEditor(kubeconfig: string, runs = 3): Promise<{ runs: EditorRun[]; debugRun: EditorRun }> {
  const out: EditorRun[] = [];
  for (let i = 0; i < runs; i++) out.push(await benchEditorOnce(kubeconfig, `bench-editor-${i + 1}`));
  return { runs: out, debugRun: await benchEditorOnce(kubeconfig, 'bench-editor-debug', { debug: true }) };
}

// `node --import tsx bench/editor.ts` alone: one cold window, the numbers and the breakdown on stdout.
if (process.argv[1] && join(process.argv[1]) === join(import.meta.dirname, 'editor.ts')) {
  const kubeconfig = process.env.KUBECONFIG_DEVELOPER ?? process.env.KUBECONFIG ?? '';
  const vsix = process.argv.find((a) => a.endsWith('.vsix'));
  benchEditorOnce(kubeconfig, 'bench-editor', { debug: process.argv.includes('--debug'), afterHostReady: process.argv.includes('--ready'), ...(vsix ? { vsix } : {}) }).then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
