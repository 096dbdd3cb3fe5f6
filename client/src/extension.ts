// Extension entry point (dist/client.js): composes the output channel, the status bar, the identities view and
// commands (usable without the language server), the Red Hat YAML schema contribution, then the language client.
import { window, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LiveStatusNotification } from './messages';
import { registerCommands } from './commands/registerCommands';
import { IdentityDocuments } from './identity/documents';
import { registerIdentityCommands } from './identity/registerIdentityCommands';
import { startLanguageClient } from './languageClient';
import { readSettings } from './settings';
import { LiveStatusBar } from './statusBar';
import { registerIdentitiesView } from './views/registerIdentitiesView';
import { registerYamlSchemas } from './yamlSchema/registerYamlSchemas';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const started = Date.now();
  const output = window.createOutputChannel('Pipeline RBAC', { log: true });
  context.subscriptions.push(output);
  const status = new LiveStatusBar('pipelineRbac.switchContext');
  context.subscriptions.push(status);
  // The view and the identity commands first: activation by onView or a command must not wait for the server.
  const view = registerIdentitiesView(context, { output, readSettings });
  const docs = new IdentityDocuments();
  context.subscriptions.push(docs);
  registerIdentityCommands({ context, output, docs, view });
  registerYamlSchemas(context, output);
  client = await startLanguageClient(context, output);
  context.subscriptions.push(client.onNotification(LiveStatusNotification, (s) => status.update(s)));
  registerCommands(context, client, output);
  output.info(`Pipeline RBAC activated in ${Date.now() - started} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
