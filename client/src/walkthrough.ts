// The getting-started walkthrough: offered once on first start, and its "Open a Role" step checked off when an RBAC
// YAML document is shown (VS Code has no `onLanguage:` completion event; `onContext:` is a documented one).
import { commands, window, workspace, type Disposable, type ExtensionContext, type TextEditor } from 'vscode';

export const WALKTHROUGH_ID = 'pipeline-rbac.pipeline-rbac#gettingStarted';
/** The context key the walkthrough's first step completes on (package.json `onContext:`). */
export const ROLE_OPENED_CONTEXT = 'pipelineRbac.roleOpened';
const OFFERED_KEY = 'pipelineRbac.walkthroughOffered';
const RBAC_KIND = /^kind:\s*["']?(Cluster)?Role(Binding)?["']?\s*(#.*)?$/m;

/** Whether a document's text holds a Role, ClusterRole or binding (a cheap look, the server does the real parse). */
export function looksLikeRbac(languageId: string, text: string): boolean {
  return languageId === 'yaml' && RBAC_KIND.test(text.slice(0, 200_000));
}

export function registerWalkthrough(context: ExtensionContext): void {
  const check = (editor: TextEditor | undefined) => {
    if (editor && looksLikeRbac(editor.document.languageId, editor.document.getText())) {
      void commands.executeCommand('setContext', ROLE_OPENED_CONTEXT, true);
    }
  };
  const subscription: Disposable = window.onDidChangeActiveTextEditor(check);
  context.subscriptions.push(subscription);
  check(window.activeTextEditor);
  void offerOnce(context);
}

/**
 * On the first start only, a notification offers the walkthrough (it does not take the editor from a file the user
 * opened). VS Code's own `workbench.welcomePage.walkthroughs.openOnInstall: false` turns the offer off too.
 */
async function offerOnce(context: ExtensionContext): Promise<void> {
  if (context.globalState.get<boolean>(OFFERED_KEY)) return;
  if (workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall') === false) return;
  await context.globalState.update(OFFERED_KEY, true);
  const open = 'Open the Walkthrough';
  const choice = await window.showInformationMessage(
    'Pipeline RBAC is installed. The walkthrough shows its checks on a Role, a pipeline identity and the identities view in four steps.',
    open,
  );
  if (choice === open) await commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}
