/**
 * Entry point of dist/identity.js: the identity stack (the Pipeline Identities view, the identity lifecycle
 * commands, the context and namespace pickers). It carries the Kubernetes client and the secret-store SDKs, so the
 * activation bundle loads it only when one of its commands runs or the view is shown (client/src/stack/lazyStack.ts).
 */
import type { ExtensionContext, LogOutputChannel } from 'vscode';
import { switchContext, switchNamespace } from '../commands/contextCommands';
import { IdentityDocuments } from '../lifecycle/documents';
import { registerIdentityCommands } from '../lifecycle/registerIdentityCommands';
import { readSettings } from '../settings';
import { registerIdentitiesView, type IdentitiesViewHost } from '../inventory/registerIdentitiesView';
import { commands } from 'vscode';

export interface IdentityStackDeps {
  context: ExtensionContext;
  output: LogOutputChannel;
  /** The view, created at activation with a provider that waits for this stack's. */
  host: IdentitiesViewHost;
}

/** Registers the stack's commands and attaches the view's provider; the activation stubs are disposed by then. */
export function registerIdentityStack({ context, output, host }: IdentityStackDeps): void {
  const view = registerIdentitiesView(context, { output, readSettings }, host);
  const docs = new IdentityDocuments();
  context.subscriptions.push(docs);
  registerIdentityCommands({ context, output, docs, view });
  context.subscriptions.push(
    commands.registerCommand('pipelineRbac.switchContext', switchContext),
    commands.registerCommand('pipelineRbac.switchNamespace', switchNamespace),
  );
}
