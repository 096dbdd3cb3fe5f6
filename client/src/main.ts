// The extension's entry point (dist/client.js). It forks the language server first (serverPrestart.ts), then loads
// the rest of the extension (dist/client-main.js, entry extension.ts), so the server's start-up runs while VS Code
// loads our code and prepares the extension's context instead of after them.
import * as path from 'node:path';
import type { ExtensionContext } from 'vscode';
import { ServerPrestart } from './serverPrestart';

const server = new ServerPrestart(path.join(__dirname, 'server.js'));
server.start();

// A plain require of the sibling bundle: esbuild leaves it alone (the type import is erased).
const main = (): typeof import('./extension') => require(path.join(__dirname, 'client-main.js')) as typeof import('./extension');

export function activate(context: ExtensionContext): void {
  context.subscriptions.push({ dispose: () => server.dispose() });
  main().activate(context, server);
}

export function deactivate(): Promise<void> {
  return main().deactivate();
}
