// Extension entry point (dist/client.js): composes the language client, the status bar, commands and views.
import { window, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LiveStatusNotification } from './messages';
import { registerCommands } from './commands/registerCommands';
import { startLanguageClient } from './languageClient';
import { LiveStatusBar } from './statusBar';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const started = Date.now();
  const output = window.createOutputChannel('Pipeline RBAC', { log: true });
  context.subscriptions.push(output);
  const status = new LiveStatusBar('pipelineRbac.switchContext');
  context.subscriptions.push(status);
  client = await startLanguageClient(context, output);
  context.subscriptions.push(client.onNotification(LiveStatusNotification, (s) => status.update(s)));
  registerCommands(context, client, output);
  output.info(`Pipeline RBAC activated in ${Date.now() - started} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
