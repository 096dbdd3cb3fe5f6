// Tree views, context menus, modal dialogs and notifications of the workbench, read and clicked the way a person
// does: the activity bar icon, a row's twistie, a right-click, a dialog button.
import type { Locator, Page } from 'playwright-core';
import { pollUntil } from './util';
import type { Workbench } from './workbench';

export interface TreeRow {
  label: string;
  description: string;
  /** 1-based depth. */
  level: number;
  /** undefined for leaves. */
  expanded: boolean | undefined;
}

export interface TreeView {
  /** The view's pane (header and body). */
  pane: Locator;
  /** The rendered rows, top to bottom. */
  rows(): Promise<TreeRow[]>;
  /** Waits for a row matching `predicate` and returns it. */
  waitForRow(what: string, predicate: (r: TreeRow) => boolean, timeoutMs?: number): Promise<TreeRow>;
  /** Waits until no row matches `predicate`. */
  waitForNoRow(what: string, predicate: (r: TreeRow) => boolean, timeoutMs?: number): Promise<void>;
  /** Expands the (first) row with this label, if collapsed, and waits for its children to render. */
  expand(label: string): Promise<void>;
  /** Right-clicks the row with this label and returns the context menu's entries (separators omitted). */
  contextMenu(label: string): Promise<string[]>;
  /** Right-clicks the row and picks `item` from its context menu. */
  runContextMenu(label: string, item: string): Promise<void>;
}

/** Opens a view container from the activity bar (by its title) and returns the view with this name. */
export async function openTreeView(wb: Workbench, containerTitle: string, viewName: string): Promise<TreeView> {
  const page = wb.page;
  const icon = page.locator(`.activitybar .action-item a[aria-label^="${containerTitle}"]`).first();
  await icon.waitFor({ state: 'visible', timeout: 20_000 });
  const pane = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: viewName }) }).first();
  if (!(await pane.locator('.pane-body').isVisible().catch(() => false))) await icon.click();
  await pane.locator('.pane-body').waitFor({ state: 'visible', timeout: 20_000 });
  return treeView(page, pane);
}

function treeView(page: Page, pane: Locator): TreeView {
  const rowLocator = pane.locator('.monaco-list-row');
  const rows = (): Promise<TreeRow[]> =>
    rowLocator.evaluateAll((rs) =>
      rs.map((r) => {
        const text = (sel: string) => (r.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
        const expanded = r.getAttribute('aria-expanded');
        return {
          label: text('.label-name'),
          description: text('.label-description'),
          level: Number(r.getAttribute('aria-level') ?? '0'),
          expanded: expanded === null ? undefined : expanded === 'true',
        };
      }),
    );
  const rowByLabel = (label: string) =>
    rowLocator.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) }).first();

  const view: TreeView = {
    pane,
    rows,
    async waitForRow(what, predicate, timeoutMs = 30_000) {
      let last: TreeRow[] = [];
      try {
        return await pollUntil(what, async () => {
          last = await rows();
          return last.find(predicate);
        }, { timeoutMs, intervalMs: 200 });
      } catch (e) {
        throw new Error(`${(e as Error).message}\nrows shown:\n${last.map((r) => `  ${'  '.repeat(r.level - 1)}${r.label} | ${r.description}`).join('\n') || '  (none)'}`);
      }
    },
    async waitForNoRow(what, predicate, timeoutMs = 30_000) {
      await pollUntil(what, async () => !(await rows()).some(predicate), { timeoutMs, intervalMs: 200 });
    },
    async expand(label) {
      const row = rowByLabel(label);
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
      await pollUntil(`"${label}" to be expanded`, async () => (await row.getAttribute('aria-expanded')) === 'true', { timeoutMs: 20_000 });
    },
    async contextMenu(label) {
      const row = rowByLabel(label);
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await row.click({ button: 'right' });
      const menu = page.locator('.context-view .monaco-menu');
      await menu.waitFor({ state: 'visible', timeout: 10_000 });
      return (await menu.locator('.action-item:not(.disabled) .action-label').evaluateAll((as) => as.map((a) => (a.textContent ?? '').trim()))).filter(Boolean);
    },
    async runContextMenu(label, item) {
      const items = await view.contextMenu(label);
      if (!items.includes(item)) throw new Error(`context menu of "${label}" has no "${item}": ${items.join(', ')}`);
      await page.locator('.context-view .monaco-menu .action-label', { hasText: new RegExp(`^\\s*${item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first().click();
    },
  };
  return view;
}

export interface Dialog {
  message: string;
  /** The detail text, lines joined with "\n". */
  detail: string;
  buttons: string[];
}

/** Waits for a modal dialog (window.showXxxMessage with `modal: true`) and reads it. */
export async function waitForDialog(page: Page, timeoutMs = 15_000): Promise<Dialog> {
  const box = page.locator('.monaco-dialog-box').first();
  await box.waitFor({ state: 'visible', timeout: timeoutMs });
  return box.evaluate((b) => ({
    message: (b.querySelector('.dialog-message-text')?.textContent ?? '').trim(),
    detail: ((b.querySelector('.dialog-message-detail') as { innerText?: string } | null)?.innerText ?? '').trim(),
    buttons: [...b.querySelectorAll('.dialog-buttons .monaco-button')].map((x) => (x.textContent ?? '').trim()),
  }));
}

export async function clickDialogButton(page: Page, text: string): Promise<void> {
  const box = page.locator('.monaco-dialog-box').first();
  await box.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Waits for a notification toast whose text matches `pattern` and returns its text. */
export function waitForNotification(wb: Workbench, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return pollUntil(`a notification matching ${pattern}`, async () => (await wb.notifications()).find((n) => pattern.test(n)), { timeoutMs, intervalMs: 200 });
}
