// The VS Code workbench in headless Chromium (playwright-core), with helpers that act and read
// the way a person does: the quick input (quickInputDriver.ts), the editor (editorDriver.ts), the
// Problems panel (problemRows.ts) and the other views (workbenchViews.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { editorDriver } from './editorDriver';
import { CHROMIUM_ARGS, E2E_DIR, e2eTools, SCREENSHOT_DIR } from './prerequisites';
import { problemsPanel } from './problemRows';
import { quickInputDriver } from './quickInputDriver';
import { safeName } from './util';
import { workbenchViews } from './workbenchViews';
import type { OpenWorkbenchOptions, Workbench } from './workbenchTypes';

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
  const qi = quickInputDriver(page);
  return {
    page,
    browser,
    loadMs,
    quickInput: qi.quickInput,
    runCommand: qi.runCommand,
    ...editorDriver(page, qi, folder),
    ...problemsPanel(page, qi.runCommand),
    ...workbenchViews(page, qi),
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
}
