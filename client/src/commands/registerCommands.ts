import * as path from 'node:path';
import { commands, window, type ExtensionContext, type LogOutputChannel } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DryRunRequest, RefreshRequest } from '../messages';
import { errorText } from '../../../server/src/core/engine';

/**
 * "Generate Least-Privilege Role" needs the engine and the YAML parser (a quarter of the activation bundle): they load
 * from their own bundle (dist/least-privilege.js) on the first use, not with every YAML file opened.
 */
function generateLeastPrivilegeRole(): Promise<void> {
  // A plain require of the sibling bundle: esbuild leaves it alone (the type import below is erased).
  const command = require(path.join(__dirname, 'least-privilege.js')) as typeof import('./leastPrivilegeCommand');
  return command.generateLeastPrivilegeRole();
}

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
