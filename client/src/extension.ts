// The extension (dist/client-main.js, loaded by main.ts): composes the output channel, the status bar, the identity stack (loaded on
// first use, client/src/stack/lazyStack.ts), the Red Hat YAML schema contribution, then the language client. Nothing
// here waits for the language server: the client starts in the background and its failures reach the user from
// vscode-languageclient (a notification) and the output channel.
import { window, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LiveStatusNotification } from './messages';
import { registerCommands } from './commands/registerCommands';
import { createLanguageClient, startLanguageClient } from './languageClient';
import type { ServerPrestart } from './serverPrestart';
import { registerLazyIdentityStack } from './stack/lazyStack';
import { LiveStatusBar } from './statusBar';
import { SquiggleTimings } from './timings';
import { registerWalkthrough } from './walkthrough';
import { registerYamlSchemas } from './yamlSchema/registerYamlSchemas';

let client: LanguageClient | undefined;

/** Called by main.ts (dist/client.js) with the language server it forked as the extension loaded. */
export function activate(context: ExtensionContext, server: ServerPrestart): void {
  const started = performance.now();
  const output = window.createOutputChannel('Pipeline RBAC', { log: true });
  context.subscriptions.push(output);
  const status = new LiveStatusBar('pipelineRbac.switchContext');
  context.subscriptions.push(status);
  registerLazyIdentityStack(context, output);
  registerYamlSchemas(context, output);
  const timings = new SquiggleTimings(output, started);
  timings.activation();
  const lc = createLanguageClient(context, output, timings, server);
  client = lc;
  context.subscriptions.push(lc.onNotification(LiveStatusNotification, (s) => status.update(s)));
  registerCommands(context, lc, output);
  registerWalkthrough(context);
  startLanguageClient(lc, output, started);
  output.info(`Pipeline RBAC activated in ${Math.round(performance.now() - started)} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
