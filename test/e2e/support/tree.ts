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
        throw new Error(`${(e as Error).message}\nrows shown:\n${last.map((r) => `  ${'  '.repeat(r.level - 1)}${r.label} | ${r.description}`).join('\n') || '  (none)'}`, { cause: e });
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
      // By keyboard: a click can land while the menu is still animating in.
      const menu = page.locator('.context-view .monaco-menu');
      const focused = () => menu.locator('.action-item.focused .action-label').first().textContent().then((t) => (t ?? '').trim(), () => '');
      for (let i = 0; i <= items.length && (await focused()) !== item; i++) await page.keyboard.press('ArrowDown');
      if ((await focused()) !== item) throw new Error(`could not focus "${item}" in the context menu of "${label}"`);
      await page.keyboard.press('Enter');
      await menu.waitFor({ state: 'hidden', timeout: 10_000 });
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

/**
 * Picks a quick input item by keyboard, as a person typing would: waits for a visible row with this label, types the
 * label as the filter, waits until that row is the focused (active) one, and presses Enter. Deterministic where a
 * click can race the quick input's re-layout between steps.
 */
export async function pickByKeyboard(wb: Workbench, label: string, timeoutMs = 30_000): Promise<void> {
  const page = wb.page;
  const widget = page.locator('.quick-input-widget');
  const box = widget.locator('.quick-input-box input');
  const visibleRows = () =>
    widget.locator('.quick-input-list .monaco-list-row').evaluateAll((rs) =>
      rs
        .filter((r) => (r as unknown as { offsetParent: unknown }).offsetParent !== null)
        .map((r) => ({ label: (r.querySelector('.label-name')?.textContent ?? '').replace(/\s+/g, ' ').trim(), focused: r.classList.contains('focused') })),
    );
  await pollUntil(`a quick input row "${label}"`, async () => (await visibleRows()).some((r) => r.label === label), { timeoutMs, intervalMs: 100 });
  await box.fill(label);
  await pollUntil(`"${label}" to be the active row`, async () => (await visibleRows()).find((r) => r.focused)?.label === label, { timeoutMs: 10_000, intervalMs: 50 });
  await box.press('Enter');
}

/**
 * Answers VS Code's simple file dialog (showSaveDialog in code-server, or anywhere with files.simpleDialog.enable)
 * with a path. The dialog ignores Enter while it is busy reading the folder, so wait for it to be idle, press Enter,
 * and press again if it is still open with the same path.
 */
export async function answerFileDialog(wb: Workbench, path: string, title: RegExp): Promise<void> {
  const page = wb.page;
  const widget = page.locator('.quick-input-widget');
  const box = widget.locator('.quick-input-box input');
  const titleText = () => widget.evaluate((w) => (w.querySelector('.quick-input-title')?.textContent ?? '').trim()).catch(() => '');
  await pollUntil('the file dialog', async () => title.test(await titleText()) && (await box.isVisible()), { timeoutMs: 20_000 });
  await box.fill(path);
  const idle = async () => (await widget.locator('.quick-input-progress .monaco-progress-container.active, .quick-input-progress .monaco-progress-container.infinite').count()) === 0;
  for (let attempt = 0; attempt < 4; attempt++) {
    await pollUntil('the file dialog to be idle', idle, { timeoutMs: 10_000, intervalMs: 50 });
    await box.press('Enter');
    const closed = await pollUntil('the file dialog to close', async () => !(await box.isVisible()) || !title.test(await titleText()), { timeoutMs: 2_000, intervalMs: 100 }).catch(() => false);
    if (closed) return;
    if ((await box.inputValue()) !== path) await box.fill(path);
  }
  throw new Error(`the file dialog did not accept ${path}`);
}
