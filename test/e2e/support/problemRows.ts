// The Problems panel's rows: one scraper that runs in the page (shared by the plain read in workbench.ts and the
// scrolling read of the virtualized list in editorScenario.ts) and the fold that gives each marker its file.
import type { Locator, Page } from 'playwright-core';
import { pollUntil } from './util';
import type { ProblemRow } from './workbenchTypes';

/** A rendered row of the Problems list: a file row (its label) or a marker row, with its list index. */
export interface RawProblemRow {
  /** The row's data-index (NaN for a row without one). */
  index: number;
  file?: string;
  marker?: Omit<ProblemRow, 'resource'>;
}

/** The little of a DOM element the scraper touches (the test tsconfig has no DOM lib). */
interface RowElement {
  className: string;
  textContent: string | null;
  firstElementChild: RowElement | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): RowElement | null;
}

/**
 * Reads rows of the Problems list. Runs in the browser through Locator.evaluateAll, so it is self-contained: it uses
 * nothing from this module or any other, only its argument.
 */
export function scrapeProblemRows(rows: RowElement[]): RawProblemRow[] {
  return rows.flatMap((r): RawProblemRow[] => {
    const index = Number(r.getAttribute('data-index'));
    const fileLabel = r.querySelector('.resource-label-container .monaco-icon-label');
    if (fileLabel) return [{ index, file: fileLabel.getAttribute('aria-label') ?? '' }];
    if (!r.querySelector('.marker-message-details-container')) return [];
    const text = (sel: string) => (r.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
    // `.marker-icon` carries the severity as a class (error, warning, info); hints show no row.
    const icon = r.querySelector('.marker-icon');
    const cls = `${icon?.className ?? ''} ${icon?.firstElementChild?.className ?? ''}`;
    const severity = /\berror\b|codicon-error/.test(cls)
      ? 'error'
      : /\bwarning\b|codicon-warning/.test(cls)
        ? 'warning'
        : /\binfo\b|codicon-info/.test(cls)
          ? 'info'
          : 'unknown';
    const pos = /Ln\s*(\d+),\s*Col\s*(\d+)/.exec(text('.marker-line'));
    return [{
      index,
      marker: {
        severity,
        message: text('.marker-message'),
        source: text('.marker-source'),
        // The code renders as a link or plain text, optionally wrapped in parentheses.
        code: text('.marker-code').replace(/^\(|\)$/g, ''),
        line: pos ? Number(pos[1]) : 0,
        column: pos ? Number(pos[2]) : 0,
        text: (r.textContent ?? '').replace(/\s+/g, ' ').trim(),
      },
    }];
  });
}

/** Rows in list order to markers: file rows come first, then their markers. */
export function withResources(rows: RawProblemRow[]): ProblemRow[] {
  let resource = '';
  const out: ProblemRow[] = [];
  for (const row of rows) {
    if (row.file !== undefined) resource = row.file;
    else if (row.marker) out.push({ resource, ...row.marker });
  }
  return out;
}

/** The rendered rows of a Problems list, in DOM order. */
export function readRawProblemRows(rows: Locator): Promise<RawProblemRow[]> {
  return rows.evaluateAll(scrapeProblemRows);
}

/** The Problems panel of a page: open it, read its rendered rows, wait for some. */
export function problemsPanel(page: Page, runCommand: (title: string) => Promise<void>) {
  const panel = page.locator('.markers-panel');

  async function open(): Promise<void> {
    if (await panel.isVisible()) return;
    await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
  }

  async function read(): Promise<ProblemRow[]> {
    return withResources(await readRawProblemRows(page.locator('.markers-panel .monaco-list-row')));
  }

  return {
    async problems(): Promise<ProblemRow[]> {
      await open();
      return read();
    },
    async waitForProblems(predicate: (rows: ProblemRow[]) => boolean, timeoutMs = 30_000): Promise<ProblemRow[]> {
      await open();
      let last: ProblemRow[] = [];
      try {
        return await pollUntil('the expected Problems', async () => {
          last = await read();
          return predicate(last) ? last : undefined;
        }, { timeoutMs, intervalMs: 200 });
      } catch (e) {
        throw new Error(`${(e as Error).message}\nProblems shown:\n${last.map((p) => `  ${p.text}`).join('\n') || '  (none)'}`, { cause: e });
      }
    },
  };
}
