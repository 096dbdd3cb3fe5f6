// The VS Code workbench in headless Chromium (playwright-core), with helpers that act and read
// the way a person does: command palette, Quick Open, Problems, squiggles, hovers, quick fixes.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, E2E_DIR, e2eTools, SCREENSHOT_DIR } from './prerequisites';
import { pollUntil, safeName } from './util';
import type { BrowserGlobals, OpenWorkbenchOptions, ProblemRow, QuickInput, Workbench } from './workbenchTypes';

export type * from './workbenchTypes';

export async function openWorkbench(url: string, options: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const tools = e2eTools();
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    // Chromium's crash reporter writes under $XDG_CONFIG_HOME/chromium even with a temp profile.
    env: { ...process.env, XDG_CONFIG_HOME: join(E2E_DIR, 'chromium-config') },
  });
  const errors: string[] = [];
  try {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'], // editorText() reads the copied text
    });
    // tsx/esbuild (keepNames) wraps named inner functions of the callbacks we pass to
    // page.evaluate in __name(...) calls; give the page a no-op __name so they run there.
    await context.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
    const page = await context.newPage();
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') errors.push(m.text().slice(0, 500));
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message.slice(0, 500)}`));

    const t0 = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: options.timeoutMs ?? 90_000 });
    await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: options.timeoutMs ?? 90_000 });
    const loadMs = Date.now() - t0;
    // The folder is open once the explorer or the status bar has rendered; both come after the shell.
    await page.locator('.part.statusbar').first().waitFor({ state: 'visible', timeout: 30_000 });
    return makeWorkbench(page, browser, loadMs, errors, new URL(url).searchParams.get('folder') ?? undefined);
  } catch (e) {
    await browser.close().catch(() => undefined);
    const serverTail = options.server ? `\n--- code-server log ---\n${options.server.logTail(30)}` : '';
    throw new Error(`${(e as Error).message}\n--- browser console errors ---\n${errors.slice(-10).join('\n')}${serverTail}`, { cause: e });
  }
}

function makeWorkbench(page: Page, browser: Browser, loadMs: number, errors: string[], folder: string | undefined): Workbench {
  const quickWidget = page.locator('.quick-input-widget');
  const quickBox = quickWidget.locator('.quick-input-box input');
  const activeEditor = page.locator('.editor-group-container.active .monaco-editor').first();

  // Quick input lists re-render while results stream in: a row found a moment ago may be gone or
  // moving, so click it without actionability waits and let the caller's poll look again on error.
  async function clickNow(row: Locator): Promise<boolean> {
    try {
      await row.click({ timeout: 2_000, force: true });
      return true;
    } catch {
      return false;
    }
  }

  async function selectItem(label: string, exact: boolean, timeoutMs: number): Promise<void> {
    const rows = quickWidget.locator('.quick-input-list .monaco-list-row');
    let attempted = false;
    await pollUntil(`quick input item "${label}"`, async () => {
      const norm = await rows.evaluateAll((rs) =>
        rs.map((r) => (r.querySelector('.label-name')?.textContent ?? '').replace(/\s+/g, ' ').trim()),
      );
      let i = norm.indexOf(label);
      if (i < 0 && !exact) i = norm.findIndex((l) => l.toLowerCase().startsWith(label.toLowerCase()));
      // A click that reported an error may still have landed: the item is gone, or the input closed.
      if (attempted && (i < 0 || !(await quickBox.isVisible()))) return true;
      if (i < 0) return false;
      attempted = true;
      return clickNow(rows.nth(i));
    }, { timeoutMs });
  }

  const quickInput: QuickInput = {
    async waitOpen(timeoutMs = 10_000) {
      await quickBox.waitFor({ state: 'visible', timeout: timeoutMs });
      // evaluate, not textContent(): a locator read waits for a missing title until its timeout.
      return quickWidget.first().evaluate((w) => (w.querySelector('.quick-input-title')?.textContent ?? '').trim());
    },
    async items() {
      const rows = quickWidget.locator('.quick-input-list .monaco-list-row');
      return rows.evaluateAll((rs) => rs.map((r) => (r.querySelector('.label-name')?.textContent ?? '').trim()));
    },
    select: (label, timeoutMs = 15_000) => selectItem(label, false, timeoutMs),
    async type(text, submit = true) {
      await quickBox.waitFor({ state: 'visible', timeout: 10_000 });
      await quickBox.fill(text);
      if (submit) await quickBox.press('Enter');
    },
    async waitClosed(timeoutMs = 10_000) {
      await quickBox.waitFor({ state: 'hidden', timeout: timeoutMs });
    },
  };

  async function focusWorkbench(): Promise<void> {
    // Keyboard shortcuts need the page focused; Escape closes stray quick inputs and hovers.
    await page.bringToFront();
    if (await quickBox.isVisible()) await page.keyboard.press('Escape');
  }

  async function runCommand(title: string): Promise<void> {
    await focusWorkbench();
    await page.keyboard.press('F1');
    await quickInput.waitOpen();
    await quickBox.fill(`>${title}`);
    await selectItem(title, true, 15_000);
  }

  async function openFile(relPath: string): Promise<void> {
    await focusWorkbench();
    const base = relPath.split(/[\\/]/).pop() ?? relPath;
    // An absolute path is listed at once; a relative one waits for the workspace file search
    // (several seconds on a fresh window), so resolve it against the opened folder when known.
    const absolute = isAbsolute(relPath) ? relPath : folder ? join(folder, relPath) : undefined;
    await page.keyboard.press('Control+P');
    await quickInput.waitOpen();
    await quickBox.fill(absolute ?? relPath);
    // Rows show the file name as label and its folder as description; pick the exact match.
    const wanted = relPath.replace(/\\/g, '/');
    const rows = quickWidget.locator('.quick-input-list .monaco-list-row');
    let attempted = false;
    await pollUntil(`Quick Open to list ${absolute ?? relPath}`, async () => {
      if (attempted && !(await quickBox.isVisible())) return true; // an "errored" click that landed
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

  async function openProblems(): Promise<void> {
    const panel = page.locator('.markers-panel');
    if (await panel.isVisible()) return;
    await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
  }

  async function readProblems(): Promise<ProblemRow[]> {
    return page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) => {
      let resource = '';
      return rows.flatMap((r) => {
        // File rows come first, then their markers: remember which file the markers belong to.
        const fileLabel = r.querySelector('.resource-label-container .monaco-icon-label');
        if (fileLabel) {
          resource = fileLabel.getAttribute('aria-label') ?? '';
          return [];
        }
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
        // The code renders as a link or plain text, optionally wrapped in parentheses.
        const code = text('.marker-code').replace(/^\(|\)$/g, '');
        return [{
          resource,
          severity: severity as ProblemRow['severity'],
          message: text('.marker-message'),
          source: text('.marker-source'),
          code,
          line: pos ? Number(pos[1]) : 0,
          column: pos ? Number(pos[2]) : 0,
          text: (r.textContent ?? '').replace(/\s+/g, ' ').trim(),
        }];
      });
    });
  }

  async function goTo({ line, column }: { line: number; column: number }): Promise<void> {
    await focusWorkbench();
    await activeEditor.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Control+G');
    await quickInput.waitOpen();
    await quickBox.fill(`:${line}:${column}`);
    await quickBox.press('Enter');
    await quickInput.waitClosed();
  }

  const codeActionWidget = page.locator('.action-widget').first();
  const codeActionRows = () => codeActionWidget.locator('.monaco-list-row.action');
  /**
   * Opens the code action menu; false when VS Code says there are none, three times. VS Code asks for code actions on
   * its own 250 ms after the cursor moves or the file's diagnostics change, and that automatic request cancels a
   * pending Ctrl+. one, which then shows "No code actions available" however many the server returned. goTo moves
   * the cursor just before, so on a slow machine the first answer may be that; a person presses Ctrl+. again.
   */
  async function openCodeActions(position: { line: number; column: number }): Promise<boolean> {
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

  const workbench: Workbench = {
    page,
    browser,
    loadMs,
    quickInput,
    runCommand,
    openFile,
    async problems() {
      await openProblems();
      return readProblems();
    },
    async waitForProblems(predicate, timeoutMs = 30_000) {
      await openProblems();
      let last: ProblemRow[] = [];
      try {
        return await pollUntil('the expected Problems', async () => {
          last = await readProblems();
          return predicate(last) ? last : undefined;
        }, { timeoutMs, intervalMs: 200 });
      } catch (e) {
        throw new Error(`${(e as Error).message}\nProblems shown:\n${last.map((p) => `  ${p.text}`).join('\n') || '  (none)'}`, { cause: e });
      }
    },
    async waitForSquiggle({ severity, timeoutMs = 30_000 } = {}) {
      const sel = severity ? `.squiggly-${severity}` : '[class*="squiggly-"]';
      return pollUntil(`a ${severity ?? ''} squiggle in the active editor`, async () => {
        const n = await activeEditor.locator(sel).count();
        return n > 0 ? n : undefined;
      }, { timeoutMs, intervalMs: 200 });
    },
    goTo,
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
      const titles = await codeActionRows().evaluateAll((rs) => rs.map((r) => (r.querySelector('.title')?.textContent ?? '').trim()));
      await page.keyboard.press('Escape');
      return titles;
    },
    async quickFix(position, title) {
      if (!(await openCodeActions(position))) throw new Error(`no code actions at ${position.line}:${position.column}`);
      const rows = codeActionRows();
      let attempted = false;
      await pollUntil(`code action "${title}"`, async () => {
        const titles = await rows.evaluateAll((rs) => rs.map((r) => (r.querySelector('.title')?.textContent ?? '').trim()));
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
      await runCommand('View: Focus Active Editor Group');
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
    async markdownPreview(match: RegExp, timeoutMs = 20_000) {
      return pollUntil(`a Markdown preview showing ${match}`, async () => {
        const tab = (await page.locator('.editor-group-container.active .tab.active').first().innerText().catch(() => '')).trim();
        for (const frame of page.frames()) {
          const text = await frame.evaluate(() => {
            const body = (globalThis as unknown as { document: { querySelector(s: string): { innerText: string } | null } }).document.querySelector('.markdown-body');
            return body?.innerText ?? '';
          }).catch(() => '');
          if (match.test(text)) return { tab, text };
        }
        return undefined;
      }, { timeoutMs });
    },
    async outputChannels() {
      await runCommand('Output: Show Output Channels...');
      await quickInput.waitOpen();
      const names = await pollUntil('the output channel list', async () => {
        const items = await quickInput.items();
        return items.length ? items : undefined;
      }, { timeoutMs: 10_000 });
      await page.keyboard.press('Escape');
      return names.map((n) => n.trim());
    },
    async extensionsView() {
      const viewlet = page.locator('.extensions-viewlet');
      if (!(await viewlet.isVisible())) {
        await runCommand('View: Show Extensions');
        await viewlet.waitFor({ state: 'visible', timeout: 10_000 });
      }
      return viewlet.locator('.monaco-list-row[data-extension-id]').evaluateAll((rows) =>
        rows.map((r) => {
          const text = (sel: string) => (r.querySelector(sel)?.textContent ?? '').trim();
          return {
            id: r.getAttribute('data-extension-id') ?? '',
            name: text('.name'),
            description: text('.description'),
            activationTime: text('.activationTime'),
          };
        }),
      );
    },
    async runningExtensions() {
      const editor = page.locator('.runtime-extensions-editor');
      if (!(await editor.isVisible())) {
        await runCommand('Developer: Show Running Extensions');
        await editor.waitFor({ state: 'visible', timeout: 10_000 });
      }
      return editor.locator('.monaco-list-row').evaluateAll((rows) =>
        rows.map((r) => {
          const text = (sel: string) => (r.querySelector(sel)?.textContent ?? '').trim();
          const activation = text('.activation-time');
          const ms = /([\d.]+)\s*ms/.exec(activation);
          return { name: text('.name'), version: text('.version'), activation, activationMs: ms ? Number(ms[1]) : undefined };
        }),
      );
    },
    async notifications() {
      return (await page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).map((t) => t.trim());
    },
    async statusBarItems() {
      return page.locator('.part.statusbar .statusbar-item').evaluateAll((items) =>
        items.map((i) => ({
          text: (i.textContent ?? '').replace(/\s+/g, ' ').trim(),
          tooltip: i.querySelector('[aria-label]')?.getAttribute('aria-label') ?? i.getAttribute('aria-label') ?? '',
        })),
      );
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${safeName(name)}.png`);
      await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
      return path;
    },
    consoleErrors: () => [...errors],
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
  return workbench;
}
