// Extension entry point (dist/client.js): composes the output channel, the status bar, the identity stack (loaded on
// first use, client/src/stack/lazyStack.ts), the Red Hat YAML schema contribution, then the language client. Nothing
// here waits for the language server: the client starts in the background and its failures reach the user from
// vscode-languageclient (a notification) and the output channel.
import { window, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LiveStatusNotification } from './messages';
import { registerCommands } from './commands/registerCommands';
import { createLanguageClient, startLanguageClient } from './languageClient';
import { registerLazyIdentityStack } from './stack/lazyStack';
import { LiveStatusBar } from './statusBar';
import { SquiggleTimings } from './timings';
import { registerYamlSchemas } from './yamlSchema/registerYamlSchemas';

let client: LanguageClient | undefined;

export function activate(context: ExtensionContext): void {
  const started = performance.now();
  const output = window.createOutputChannel('Pipeline RBAC', { log: true });
  context.subscriptions.push(output);
  const status = new LiveStatusBar('pipelineRbac.switchContext');
  context.subscriptions.push(status);
  registerLazyIdentityStack(context, output);
  registerYamlSchemas(context, output);
  const timings = new SquiggleTimings(output, started);
  timings.activation();
  const lc = createLanguageClient(context, output, timings);
  client = lc;
  context.subscriptions.push(lc.onNotification(LiveStatusNotification, (s) => status.update(s)));
  registerCommands(context, lc, output);
  startLanguageClient(lc, output, started);
  output.info(`Pipeline RBAC activated in ${Math.round(performance.now() - started)} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
