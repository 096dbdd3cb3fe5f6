// The editor part of the workbench, used as a person does: Quick Open a file, Go to Line/Column, squiggles, the
// hover, the code action menu (Ctrl+.), save, and the text of the active editor.
import { isAbsolute, join } from 'node:path';
import type { Page } from 'playwright-core';
import { clickNow, type QuickInputDriver } from './quickInputDriver';
import { pollUntil } from './util';
import type { BrowserGlobals, Workbench } from './workbenchTypes';

type Position = { line: number; column: number };
export type EditorDriver = Pick<Workbench, 'openFile' | 'goTo' | 'waitForSquiggle' | 'hoverAt' | 'codeActions' | 'quickFix' | 'save' | 'editorText'>;

export function editorDriver(page: Page, qi: QuickInputDriver, folder: string | undefined): EditorDriver {
  const activeEditor = page.locator('.editor-group-container.active .monaco-editor').first();

  async function openFile(relPath: string): Promise<void> {
    await qi.focusWorkbench();
    const base = relPath.split(/[\\/]/).pop() ?? relPath;
    // An absolute path is listed at once; a relative one waits for the workspace file search
    // (several seconds on a fresh window), so resolve it against the opened folder when known.
    const absolute = isAbsolute(relPath) ? relPath : folder ? join(folder, relPath) : undefined;
    await page.keyboard.press('Control+P');
    await qi.quickInput.waitOpen();
    await qi.box.fill(absolute ?? relPath);
    // Rows show the file name as label and its folder as description; pick the exact match.
    const wanted = relPath.replace(/\\/g, '/');
    const rows = qi.widget.locator('.quick-input-list .monaco-list-row');
    let attempted = false;
    await pollUntil(`Quick Open to list ${absolute ?? relPath}`, async () => {
      if (attempted && !(await qi.box.isVisible())) return true; // an "errored" click that landed
      const shown = await rows.evaluateAll((rs) =>
        rs.map((r) => ({
          label: (r.querySelector('.label-name')?.textContent ?? '').trim(),
          desc: (r.querySelector('.label-description')?.textContent ?? '').trim(),
        })),
      );
      const i = shown.findIndex(({ label, desc }) => {
        if (label !== base) return false;
        if (absolute) return true; // the absolute path lists only that file
        const full = desc && desc !== '.' ? `${desc.replace(/\\/g, '/')}/${label}` : label;
        return full === wanted || full.endsWith(`/${wanted}`) || wanted === base;
      });
      if (i < 0) return false;
      attempted = true;
      return clickNow(rows.nth(i));
    }, { timeoutMs: 20_000 });
    await pollUntil(`an editor tab for ${base}`, async () => {
      const labels = await page
        .locator('.editor-group-container.active .tab.active')
        .evaluateAll((tabs) => tabs.map((t) => t.getAttribute('aria-label') ?? ''));
      return labels.some((l) => l.startsWith(base)) && (await activeEditor.locator('.view-lines').isVisible());
    }, { timeoutMs: 20_000 });
  }

  async function goTo({ line, column }: Position): Promise<void> {
    await qi.focusWorkbench();
    await activeEditor.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Control+G');
    await qi.quickInput.waitOpen();
    await qi.box.fill(`:${line}:${column}`);
    await qi.box.press('Enter');
    await qi.quickInput.waitClosed();
  }

  const codeActionWidget = page.locator('.action-widget').first();
  const codeActionRows = () => codeActionWidget.locator('.monaco-list-row.action');
  const codeActionTitles = () => codeActionRows().evaluateAll((rs) => rs.map((r) => (r.querySelector('.title')?.textContent ?? '').trim()));

  /**
   * Opens the code action menu; false when VS Code says there are none, three times. VS Code asks for code actions on
   * its own 250 ms after the cursor moves or the file's diagnostics change, and that automatic request cancels a
   * pending Ctrl+. one, which then shows "No code actions available" however many the server returned. goTo moves
   * the cursor just before, so on a slow machine the first answer may be that; a person presses Ctrl+. again.
   */
  async function openCodeActions(position: Position): Promise<boolean> {
    await goTo(position);
    // "No code actions available" shows as an overlay message; rows appear once the providers answered.
    const none = page.locator('.monaco-editor-overlaymessage', { hasText: /no code actions/i });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      const state = await pollUntil(`code actions at ${position.line}:${position.column}`, async () =>
        (await codeActionRows().count()) > 0 ? 'some' : (await none.count()) > 0 ? 'none' : undefined,
      { timeoutMs: 15_000 });
      if (state === 'some') return true;
      if (attempt === 3) return false;
      await page.keyboard.press('Escape'); // closes the message
      await none.waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }

  return {
    openFile,
    goTo,
    async waitForSquiggle({ severity, timeoutMs = 30_000 } = {}) {
      const sel = severity ? `.squiggly-${severity}` : '[class*="squiggly-"]';
      return pollUntil(`a ${severity ?? ''} squiggle in the active editor`, async () => {
        const n = await activeEditor.locator(sel).count();
        return n > 0 ? n : undefined;
      }, { timeoutMs, intervalMs: 200 });
    },
    async hoverAt(position) {
      await goTo(position);
      const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content').first();
      // "Show or Focus Hover" is Ctrl+K Ctrl+I; the chord needs two separate presses.
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      return pollUntil(`a hover at ${position.line}:${position.column}`, async () => {
        if (!(await hover.isVisible())) return undefined;
        const text = ((await hover.innerText()) ?? '').trim();
        return text && !/^Loading\.\.\.$/.test(text) ? text : undefined;
      }, { timeoutMs: 15_000 });
    },
    async codeActions(position) {
      if (!(await openCodeActions(position))) return [];
      const titles = await codeActionTitles();
      await page.keyboard.press('Escape');
      return titles;
    },
    async quickFix(position, title) {
      if (!(await openCodeActions(position))) throw new Error(`no code actions at ${position.line}:${position.column}`);
      const rows = codeActionRows();
      let attempted = false;
      await pollUntil(`code action "${title}"`, async () => {
        const titles = await codeActionTitles();
        let i = titles.indexOf(title);
        if (i < 0) i = titles.findIndex((t) => t.startsWith(title));
        if (attempted && (i < 0 || !(await codeActionWidget.isVisible()))) return true;
        if (i < 0) return false;
        attempted = true;
        return clickNow(rows.nth(i));
      }, { timeoutMs: 15_000 });
      await codeActionWidget.waitFor({ state: 'hidden', timeout: 10_000 });
    },
    async save() {
      await page.keyboard.press('Control+S');
      await pollUntil('the active editor to be saved', async () => {
        const dirty = await page.locator('.editor-group-container.active .tab.active.dirty').count();
        return dirty === 0;
      }, { timeoutMs: 10_000 });
    },
    async editorText() {
      // The DOM shows only rendered lines, with decorations (color boxes, inlay hints) mixed in;
      // the clipboard gets the model's text. Select all, copy, read it, collapse the selection.
      await qi.runCommand('View: Focus Active Editor Group');
      await activeEditor.locator('.view-lines').waitFor({ state: 'visible', timeout: 10_000 });
      await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(''));
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Control+C');
      const text = await pollUntil('the editor text on the clipboard', async () => {
        const t = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText());
        return t === '' ? undefined : t;
      }, { timeoutMs: 5_000 });
      await page.keyboard.press('Escape');
      return text;
    },
  };
}
