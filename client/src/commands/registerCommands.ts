import { commands, window, type ExtensionContext, type LogOutputChannel } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DryRunRequest, RefreshRequest } from '../messages';
import { generateLeastPrivilegeRole } from './leastPrivilegeCommand';
import { errorText } from '../../../server/src/core/engine';

/**
 * Registers the commands that need only the language client; each handler is a few lines. The context and namespace
 * pickers read kubeconfigs and belong to the identity stack (client/src/stack/identityStack.ts).
 */
export function registerCommands(context: ExtensionContext, client: LanguageClient, output: LogOutputChannel): void {
  const register = (id: string, fn: () => unknown) => context.subscriptions.push(commands.registerCommand(id, fn));
  register('pipelineRbac.refresh', () => client.sendRequest(RefreshRequest));
  register('pipelineRbac.generateLeastPrivilegeRole', generateLeastPrivilegeRole);
  register('pipelineRbac.showOutput', () => output.show());
  register('pipelineRbac.dryRun', async () => {
    const editor = window.activeTextEditor;
    if (!editor) return;
    try {
      const r = await client.sendRequest(DryRunRequest, { uri: editor.document.uri.toString() });
      const msg = r.rejected
        ? `The cluster would reject ${r.rejected} of ${r.checked} object(s); see the Problems panel.`
        : `The cluster accepts all ${r.checked} object(s) (dry run, nothing was changed).`;
      output.info(`dry-run check of ${editor.document.uri.fsPath}: ${msg}`);
      void (r.rejected ? window.showWarningMessage(`Pipeline RBAC: ${msg}`) : window.showInformationMessage(`Pipeline RBAC: ${msg}`));
    } catch (err) {
      void window.showErrorMessage(`Pipeline RBAC: dry-run check failed: ${errorText(err)}`);
    }
  });
}
