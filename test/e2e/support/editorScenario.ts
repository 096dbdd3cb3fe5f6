// Helpers for the editor scenarios (editor.test.ts) and the README screenshots: a scratch copy of
// examples/, every row of the (virtualized) Problems list, the hover's grant table, the status bar
// item, and cropped screenshots of parts of the workbench.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Locator } from 'playwright-core';
import { REPO_ROOT } from './prerequisites';
import { readRawProblemRows, withResources, type RawProblemRow } from './problemRows';
import { pollUntil, sleep } from './util';
import type { ProblemRow, Workbench } from './workbench';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

export interface ScratchWorkspace {
  root: string;
  /** Text of a file of the copy, as it is now on disk. */
  read(rel: string): string;
  remove(): void;
}

/** A temporary copy of examples/ (quick fixes edit it, never the repository's files). */
export function copyExamples(): ScratchWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'pipeline-rbac-examples-'));
  cpSync(EXAMPLES_DIR, root, { recursive: true });
  return {
    root,
    read: (rel) => readFileSync(join(root, rel), 'utf8'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Every marker row of the Problems panel, not only the rendered ones: the list is virtualized, so
 * this scrolls it from top to bottom and merges the rows by their list index.
 */
export async function allProblems(wb: Workbench): Promise<ProblemRow[]> {
  await wb.problems(); // opens the panel
  const { page } = wb;
  const list = page.locator('.markers-panel .monaco-list').first();
  const box = await list.boundingBox();
  if (!box) return [];
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const step = Math.max(100, box.height * 0.8);
  // A huge wheel delta is not always honoured: go back to the top page by page.
  const scrollToTop = async () => {
    for (let i = 0; i < 200; i++) {
      const rows = await readRawRows(list);
      if (rows.length === 0 || rows.some((r) => r.index === 0)) break;
      await page.mouse.wheel(0, -step);
      await sleep(40);
    }
    await page.mouse.wheel(0, -step); // row 0 may be rendered yet half hidden under the sticky header
    await sleep(40);
  };
  await scrollToTop();
  const seen = new Map<number, RawProblemRow>();
  for (let round = 0; round < 200; round++) {
    await sleep(60); // one or two frames for the list to render the scrolled rows
    const before = seen.size;
    for (const row of await readRawRows(list)) seen.set(row.index, row);
    if (round > 0 && seen.size === before) break;
    await page.mouse.wheel(0, step);
  }
  await scrollToTop(); // leave the list as a person would first see it
  return withResources([...seen.values()].sort((a, b) => a.index - b.index));
}

/** Polls allProblems until `predicate` holds; the error lists what was shown last. */
export async function waitForAllProblems(
  wb: Workbench,
  predicate: (rows: ProblemRow[]) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<ProblemRow[]> {
  let last: ProblemRow[] = [];
  try {
    // The list re-renders while diagnostics arrive: accept a result only when two reads agree.
    let previous = '';
    return await pollUntil(what, async () => {
      last = await allProblems(wb);
      const now = JSON.stringify(last);
      const stable = now === previous;
      previous = now;
      return stable && predicate(last) ? last : undefined;
    }, { timeoutMs, intervalMs: 300 });
  } catch (e) {
    throw new Error(`${(e as Error).message}\nProblems shown:\n${last.map((p) => `  ${p.severity} ${p.code} [${p.line}:${p.column}] ${p.resource}`).join('\n') || '  (none)'}`, { cause: e });
  }
}

async function readRawRows(list: Locator): Promise<RawProblemRow[]> {
  // Direct children of the rows container: the tree's sticky header rows (the file) live elsewhere.
  const rows = await readRawProblemRows(list.locator('.monaco-list-rows > .monaco-list-row'));
  return rows.filter((r) => Number.isInteger(r.index));
}

export interface HoverTable {
  /** The whole hover text. */
  text: string;
  /** Header cells of the first table. */
  header: string[];
  /** Body rows of the first table, cell texts. */
  rows: string[][];
  /** Cells rendered bold, per body row (e.g. the "**no**" of "you hold it"). */
  bold: string[][];
}

const VISIBLE_HOVER = '.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content';

/**
 * Shows the hover at a 1-based position and waits until it holds a table (the language server's
 * part can arrive after the diagnostics part); re-triggers the hover once if it does not.
 */
export async function hoverTable(wb: Workbench, position: { line: number; column: number }, timeoutMs = 30_000): Promise<HoverTable> {
  const hover = wb.page.locator(VISIBLE_HOVER).first();
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    await wb.hoverAt(position);
    try {
      return await pollUntil('a table in the hover', async () => {
        if (!(await hover.isVisible())) return undefined;
        const table = await hover.evaluate((el) => {
          const t = el.querySelector('table');
          if (!t) return undefined;
          const cells = (tr: { querySelectorAll(sel: string): Iterable<{ textContent: string | null }> }, sel: string) => [...tr.querySelectorAll(sel)].map((c) => (c.textContent ?? '').trim());
          const header = t.querySelector('thead tr') ?? t.querySelector('tr');
          const body = [...t.querySelectorAll('tbody tr')];
          return {
            header: header ? cells(header, 'th,td') : [],
            rows: body.map((tr) => cells(tr, 'td')),
            bold: body.map((tr) => [...tr.querySelectorAll('td strong, td b')].map((c) => (c.textContent ?? '').trim())),
          };
        });
        if (!table || table.rows.length === 0) return undefined;
        return { text: (await hover.innerText()).trim(), ...table };
      }, { timeoutMs: Math.max(1_000, Math.min(10_000, deadline - Date.now())), intervalMs: 150 });
    } catch (e) {
      if (Date.now() >= deadline || attempt >= 3) throw e;
      await wb.page.keyboard.press('Escape');
    }
  }
}

/** The Pipeline RBAC status bar item, once `predicate` holds for its text and tooltip. */
export async function waitForStatusItem(
  wb: Workbench,
  predicate: (item: { text: string; tooltip: string }) => boolean,
  timeoutMs = 60_000,
): Promise<{ text: string; tooltip: string }> {
  let last: { text: string; tooltip: string }[] = [];
  try {
    return await pollUntil('the Pipeline RBAC status bar item', async () => {
      last = await wb.statusBarItems();
      return last.find(predicate);
    }, { timeoutMs, intervalMs: 250 });
  } catch (e) {
    throw new Error(`${(e as Error).message}\nStatus bar items: ${JSON.stringify(last)}`, { cause: e });
  }
}

/**
 * Saves a PNG of the smallest rectangle holding `parts` (plus a margin), clipped to the page:
 * small images of a piece of the workbench for documentation.
 */
export async function screenshotOf(wb: Workbench, path: string, parts: Locator[], margin = 8): Promise<string> {
  const boxes = [];
  for (const p of parts) {
    const b = await p.boundingBox();
    if (b) boxes.push(b);
  }
  if (!boxes.length) throw new Error(`screenshotOf ${path}: none of the parts is visible`);
  const view = wb.page.viewportSize() ?? { width: 1440, height: 900 };
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - margin);
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - margin);
  const right = Math.min(view.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(view.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  mkdirSync(dirname(path), { recursive: true });
  await wb.page.screenshot({ path, clip: { x, y, width: right - x, height: bottom - y }, animations: 'disabled', caret: 'hide' });
  return path;
}
