/**
 * Creates the `pipelineRbac.identities` tree view and its view-only commands: refresh, the "Show all ServiceAccounts"
 * toggle, Open Role (a read-only YAML document you can copy into the workspace), Check Role against My Permissions,
 * and Open My Access as a table. Identity lifecycle commands (rotate, revoke, export, manifests) belong to the identity
 * flow; they get the clicked ViewNode and can call `refresh()` afterwards.
 */
import {
  EventEmitter,
  Uri,
  commands,
  languages,
  window,
  workspace,
  type ExtensionContext,
  type LogOutputChannel,
  type TextDocument,
  type TextDocumentContentProvider,
  type TreeDataProvider,
  type TreeView,
} from 'vscode';
import { stringify } from 'yaml';
import { checkRoleAgainst, renderMatrix } from '../../../server/src/core/inventory';
import type { ViewNode } from './treeNodes';
import type { PipelineRbacSettings } from '../../../server/src/core/shared';
import { ClusterApi } from '../../../server/src/core/live';
import { IdentitiesTreeProvider } from './identitiesTree';
import { errorText } from '../../../server/src/core/engine';

export { IDENTITIES_VIEW_ID } from '../stack/stackCommands';

/** Command ids this module registers (contribute them with `"enablement"`/menus; hide all but refresh from the palette). */
export const IDENTITIES_COMMANDS = {
  refresh: 'pipelineRbac.identities.refresh',
  showAll: 'pipelineRbac.identities.showAllServiceAccounts',
  showPipelineOnly: 'pipelineRbac.identities.showPipelineIdentitiesOnly',
  openRole: 'pipelineRbac.identities.openRole',
  checkRole: 'pipelineRbac.identities.checkRole',
  openAccess: 'pipelineRbac.identities.openMyAccess',
} as const;

/**
 * The view as activation created it (client/src/stack/lazyStack.ts): its provider waits for the one attached here,
 * so showing the view is what loads the identity stack.
 */
export interface IdentitiesViewHost {
  treeView: TreeView<ViewNode>;
  attach(provider: TreeDataProvider<ViewNode>): { dispose(): unknown } | undefined;
}

/** Scheme of the read-only documents (roles as YAML, My Access tables). */
export const READONLY_SCHEME = 'pipeline-rbac-view';

export interface IdentitiesViewDeps {
  output: LogOutputChannel;
  readSettings: () => PipelineRbacSettings;
}

export interface IdentitiesView {
  provider: IdentitiesTreeProvider;
  treeView: TreeView<ViewNode>;
  /** Re-reads the cluster (call after create/rotate/revoke). */
  refresh(): void;
}

/** Read-only documents whose text is set by the command that opens them. */
class ReadonlyDocuments implements TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new EventEmitter<Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: Uri): string {
    return this.texts.get(uri.toString()) ?? '# This view is no longer available; refresh the Pipeline Identities view.\n';
  }

  async open(path: string, text: string, language: string): Promise<void> {
    const uri = Uri.from({ scheme: READONLY_SCHEME, path });
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
    const doc = await workspace.openTextDocument(uri);
    await window.showTextDocument(await languageOf(doc, language), { preview: true });
  }
}

async function languageOf(doc: TextDocument, language: string): Promise<TextDocument> {
  return doc.languageId === language ? doc : languages.setTextDocumentLanguage(doc, language);
}

/** The Role/ClusterRole of a role node as a manifest (apiVersion, kind, metadata, rules). */
export function roleManifest(node: ViewNode): string | undefined {
  const r = node.role;
  if (!r || r.state !== 'ok') return undefined;
  const doc = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: r.kind,
    metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) },
    rules: r.rules.map((x) => x.rule),
  };
  return `# ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} from context ${node.context} (read-only copy)\n${stringify(doc)}`;
}

export function registerIdentitiesView(context: ExtensionContext, deps: IdentitiesViewDeps, host: IdentitiesViewHost): IdentitiesView {
  const provider = new IdentitiesTreeProvider(deps);
  provider.lastVerified = (ctx, ns, name) => context.workspaceState.get<{ at: string; ok: boolean }>(`pipelineRbac.verified/${ctx}/${ns}/${name}`);
  const treeView = host.treeView;
  const attached = host.attach(provider);
  if (attached) context.subscriptions.push(attached);
  const docs = new ReadonlyDocuments();
  const register = (id: string, fn: (...args: never[]) => unknown) => context.subscriptions.push(commands.registerCommand(id, fn));

  context.subscriptions.push(provider, workspace.registerTextDocumentContentProvider(READONLY_SCHEME, docs));
  context.subscriptions.push(
    workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('pipelineRbac.kubeconfig') || e.affectsConfiguration('pipelineRbac.context') || e.affectsConfiguration('pipelineRbac.namespace') || e.affectsConfiguration('pipelineRbac.rules')) provider.refresh();
    }),
    workspace.onDidGrantWorkspaceTrust(() => provider.refresh()),
  );

  register(IDENTITIES_COMMANDS.refresh, () => provider.refresh());
  register(IDENTITIES_COMMANDS.showAll, () => provider.setShowAll(true));
  register(IDENTITIES_COMMANDS.showPipelineOnly, () => provider.setShowAll(false));

  register(IDENTITIES_COMMANDS.openRole, async (node: ViewNode) => {
    const text = node ? roleManifest(node) : undefined;
    if (!text || !node.role) return;
    const r = node.role;
    await docs.open(`/${node.context}/${r.namespace ?? '_cluster'}/${r.kind}-${r.name}.yaml`, text, 'yaml');
  });

  register(IDENTITIES_COMMANDS.checkRole, async (node: ViewNode) => {
    const r = node?.role;
    if (!r || r.state !== 'ok') return;
    // A Role counts in its namespace; a ClusterRole is checked where it is bound (its binding's namespace, else the context's).
    let loaded;
    try {
      loaded = provider.kubeconfigFor(node.context);
    } catch (err) {
      void window.showErrorMessage(`Pipeline RBAC: ${errorText(err)}`);
      return;
    }
    const namespace = r.namespace ?? node.binding?.namespace ?? loaded.namespace;
    try {
      const review = await new ClusterApi(loaded.kc).rulesReview(namespace);
      const result = checkRoleAgainst(
        r.rules.map((x) => x.rule),
        review,
      );
      const what = `${r.kind} ${r.name} against your permissions in ${namespace}`;
      if (result.covered) {
        deps.output.info(`check ${what}: you hold every permission it grants`);
        void window.showInformationMessage(`Pipeline RBAC: you hold every permission of ${r.kind} "${r.name}" in ${namespace}; you could create and bind it yourself.`);
      } else {
        deps.output.warn(`check ${what}: you lack\n${result.missing.join('\n')}${result.incomplete ? '\n(the cluster reported an incomplete rule list: some may be allowed after all)' : ''}`);
        const shown = result.missing.slice(0, 3).join(' ');
        const more = result.missing.length > 3 ? ` and ${result.missing.length - 3} more (see the output)` : '';
        const choice = await window.showWarningMessage(
          `Pipeline RBAC: you do not hold ${result.missing.length} permission line(s) of ${r.kind} "${r.name}" in ${namespace}${result.incomplete ? ' (incomplete review)' : ''}: ${shown}${more}`,
          'Show Output',
        );
        if (choice) deps.output.show(true);
      }
    } catch (err) {
      void window.showErrorMessage(`Pipeline RBAC: ${errorText(err)}`);
    }
  });

  register(IDENTITIES_COMMANDS.openAccess, async (node: ViewNode) => {
    if (!node?.namespace) return;
    const a = await provider.myAccess(node.context, node.namespace);
    if ('error' in a) {
      void window.showErrorMessage(`Pipeline RBAC: ${a.error}`);
      return;
    }
    const header = `My access in namespace ${node.namespace} (context ${node.context})\n\n`;
    await docs.open(`/${node.context}/${node.namespace}/my-access.txt`, header + renderMatrix(a.value), 'plaintext');
  });

  return { provider, treeView, refresh: () => provider.refresh() };
}
