// The workbench's quick input (command palette, Quick Open, QuickPick steps), driven as a person does.
import type { Locator, Page } from 'playwright-core';
import { pollUntil } from './util';
import type { QuickInput } from './workbenchTypes';

/**
 * Quick input lists re-render while results stream in: a row found a moment ago may be gone or moving, so click it
 * without actionability waits and let the caller's poll look again on error.
 */
export async function clickNow(row: Locator): Promise<boolean> {
  try {
    await row.click({ timeout: 2_000, force: true });
    return true;
  } catch {
    return false;
  }
}

export interface QuickInputDriver {
  widget: Locator;
  box: Locator;
  quickInput: QuickInput;
  /** Picks the listed item with this label (or, unless exact, one starting with it). */
  selectItem(label: string, exact: boolean, timeoutMs: number): Promise<void>;
  /** Brings the page to the front and closes a stray quick input. */
  focusWorkbench(): Promise<void>;
  /** Runs the command palette entry with exactly this title. */
  runCommand(title: string): Promise<void>;
}

export function quickInputDriver(page: Page): QuickInputDriver {
  const widget = page.locator('.quick-input-widget');
  const box = widget.locator('.quick-input-box input');
  const rows = widget.locator('.quick-input-list .monaco-list-row');

  async function selectItem(label: string, exact: boolean, timeoutMs: number): Promise<void> {
    let attempted = false;
    await pollUntil(`quick input item "${label}"`, async () => {
      const norm = await rows.evaluateAll((rs) =>
        rs.map((r) => (r.querySelector('.label-name')?.textContent ?? '').replace(/\s+/g, ' ').trim()),
      );
      let i = norm.indexOf(label);
      if (i < 0 && !exact) i = norm.findIndex((l) => l.toLowerCase().startsWith(label.toLowerCase()));
      // A click that reported an error may still have landed: the item is gone, or the input closed.
      if (attempted && (i < 0 || !(await box.isVisible()))) return true;
      if (i < 0) return false;
      attempted = true;
      return clickNow(rows.nth(i));
    }, { timeoutMs });
  }

  const quickInput: QuickInput = {
    async waitOpen(timeoutMs = 10_000) {
      await box.waitFor({ state: 'visible', timeout: timeoutMs });
      // evaluate, not textContent(): a locator read waits for a missing title until its timeout.
      return widget.first().evaluate((w) => (w.querySelector('.quick-input-title')?.textContent ?? '').trim());
    },
    async items() {
      return rows.evaluateAll((rs) => rs.map((r) => (r.querySelector('.label-name')?.textContent ?? '').trim()));
    },
    select: (label, timeoutMs = 15_000) => selectItem(label, false, timeoutMs),
    async type(text, submit = true) {
      await box.waitFor({ state: 'visible', timeout: 10_000 });
      await box.fill(text);
      if (submit) await box.press('Enter');
    },
    async waitClosed(timeoutMs = 10_000) {
      await box.waitFor({ state: 'hidden', timeout: timeoutMs });
    },
  };

  async function focusWorkbench(): Promise<void> {
    // Keyboard shortcuts need the page focused; Escape closes stray quick inputs and hovers.
    await page.bringToFront();
    if (await box.isVisible()) await page.keyboard.press('Escape');
  }

  async function runCommand(title: string): Promise<void> {
    await focusWorkbench();
    await page.keyboard.press('F1');
    await quickInput.waitOpen();
    await box.fill(`>${title}`);
    await selectItem(title, true, 15_000);
  }

  return { widget, box, quickInput, selectItem, focusWorkbench, runCommand };
}
