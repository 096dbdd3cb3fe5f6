// What the workbench shows outside the editor: Markdown previews, output channels, the Extensions view, running
// extensions, notifications and the status bar.
import type { Page } from 'playwright-core';
import type { QuickInputDriver } from './quickInputDriver';
import { pollUntil } from './util';
import type { Workbench } from './workbenchTypes';

export type WorkbenchViews = Pick<Workbench, 'markdownPreview' | 'outputChannels' | 'extensionsView' | 'runningExtensions' | 'notifications' | 'statusBarItems'>;

export function workbenchViews(page: Page, qi: QuickInputDriver): WorkbenchViews {
  return {
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
      await qi.runCommand('Output: Show Output Channels...');
      await qi.quickInput.waitOpen();
      const names = await pollUntil('the output channel list', async () => {
        const items = await qi.quickInput.items();
        return items.length ? items : undefined;
      }, { timeoutMs: 10_000 });
      await page.keyboard.press('Escape');
      return names.map((n) => n.trim());
    },
    async extensionsView() {
      const viewlet = page.locator('.extensions-viewlet');
      if (!(await viewlet.isVisible())) {
        await qi.runCommand('View: Show Extensions');
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
        await qi.runCommand('Developer: Show Running Extensions');
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
  };
}
