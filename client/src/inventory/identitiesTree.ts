/**
 * The "Pipeline Identities" tree: contexts -> namespaces -> identities -> bindings -> roles -> rules, plus "My Access"
 * per namespace. Content comes from the pure builders in client/src/inventory/treeNodes.ts; this class only fetches
 * (one model per context, one rules review per My Access node, both cached until refresh) and maps to TreeItems.
 */
import {
  EventEmitter,
  MarkdownString,
  ThemeColor,
  ThemeIcon,
  TreeItem,
  TreeItemCollapsibleState,
  commands,
  type Event,
  type LogOutputChannel,
  type TreeDataProvider,
} from 'vscode';
import { type AccessMatrix, identitiesFor, type IdentitiesModel, myAccessFor } from '../../../server/src/core/inventory';
import { KubeconfigError, type LoadedKubeconfig, loadKubeconfig } from '../../../server/src/core/live';
import type { PipelineRbacSettings } from '../../../server/src/core/shared';
import { accessNodes, bindingChildren, identityChildren, namespaceChildren, namespaceNodes, type NodeColor, roleChildren, type ViewNode } from './treeNodes';
import { errorText, escapeMarkdown } from '../../../server/src/core/engine';

/** Context keys the view's `when` clauses use. */
export const CONTEXT_KEYS = {
  /** True when no kubeconfig was found: the welcome view shows. */
  noKubeconfig: 'pipelineRbac.identities.noKubeconfig',
  /** True while "Show all ServiceAccounts" is on. */
  showAll: 'pipelineRbac.identities.showAll',
} as const;

const COLORS: Record<NodeColor, string> = {
  error: 'problemsErrorIcon.foreground',
  warning: 'problemsWarningIcon.foreground',
  information: 'problemsInfoIcon.foreground',
  hint: 'descriptionForeground',
  muted: 'disabledForeground',
};

export interface IdentitiesTreeDeps {
  output: LogOutputChannel;
  readSettings: () => PipelineRbacSettings;
}

type Cached<T> = { value: T } | { error: string };

export class IdentitiesTreeProvider implements TreeDataProvider<ViewNode> {
  private readonly changed = new EventEmitter<ViewNode | undefined>();
  readonly onDidChangeTreeData: Event<ViewNode | undefined> = this.changed.event;
  private showAll = false;
  private readonly kubeconfigs = new Map<string, LoadedKubeconfig>();
  private readonly models = new Map<string, Promise<Cached<IdentitiesModel>>>();
  private readonly access = new Map<string, Promise<Cached<AccessMatrix>>>();

  /** When each identity was last verified as itself, and the result ("Verify Pipeline Identity..."), by context/ns/name. */
  lastVerified: ((context: string, namespace: string, name: string) => { at: string; ok: boolean } | undefined) | undefined;

  constructor(private readonly deps: IdentitiesTreeDeps) {
    void commands.executeCommand('setContext', CONTEXT_KEYS.showAll, false);
  }

  get showAllServiceAccounts(): boolean {
    return this.showAll;
  }

  setShowAll(on: boolean): void {
    this.showAll = on;
    void commands.executeCommand('setContext', CONTEXT_KEYS.showAll, on);
    this.refresh();
  }

  /** Drops every cached answer and redraws (the Refresh button, settings changes, after our own commands). */
  refresh(): void {
    this.kubeconfigs.clear();
    this.models.clear();
    this.access.clear();
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  getTreeItem(node: ViewNode): TreeItem {
    const state =
      node.collapsible === 'expanded' ? TreeItemCollapsibleState.Expanded : node.collapsible === 'collapsed' ? TreeItemCollapsibleState.Collapsed : TreeItemCollapsibleState.None;
    const item = new TreeItem(node.label, state);
    item.id = node.id;
    if (node.description) item.description = node.description;
    const verified = node.kind === 'identity' && node.identity?.namespace ? this.lastVerified?.(node.context, node.identity.namespace, node.identity.name) : undefined;
    if (verified) item.description = `${item.description ? `${String(item.description)} \u00b7 ` : ''}${verifiedText(verified)}`;
    if (node.tooltip) item.tooltip = untrustedMarkdown(node.tooltip);
    item.iconPath = node.color ? new ThemeIcon(node.icon, new ThemeColor(COLORS[node.color])) : new ThemeIcon(node.icon);
    item.contextValue = node.contextValue;
    // No click command on roles: a click expands the rules; "Open Role" is an inline action.
    return item;
  }

  async getChildren(node?: ViewNode): Promise<ViewNode[]> {
    if (!node) return this.contexts();
    switch (node.kind) {
      case 'context': {
        const m = await this.model(node.context);
        return 'error' in m ? [errorNode(node, m.error)] : namespaceNodes(m.value, node.context);
      }
      case 'namespace': {
        const m = await this.model(node.context);
        return 'error' in m ? [] : namespaceChildren(m.value, node);
      }
      case 'myAccess': {
        const a = await this.myAccess(node.context, node.namespace ?? 'default');
        return 'error' in a ? [errorNode(node, a.error)] : accessNodes(a.value, node);
      }
      case 'identity':
        return identityChildren(node);
      case 'binding':
        return bindingChildren(node);
      case 'role':
        return roleChildren(node);
      default:
        return [];
    }
  }

  /** The kubeconfig of one context (cached until refresh); throws KubeconfigError. */
  kubeconfigFor(context: string): LoadedKubeconfig {
    const cached = this.kubeconfigs.get(context);
    if (cached) return cached;
    const s = this.deps.readSettings();
    const loaded = loadKubeconfig({ kubeconfig: s.kubeconfig, context, trusted: s.trusted });
    this.kubeconfigs.set(context, loaded);
    return loaded;
  }

  /** The rules review matrix of one namespace (cached until refresh). */
  myAccess(context: string, namespace: string): Promise<Cached<AccessMatrix>> {
    const key = `${context}\u0000${namespace}`;
    let p = this.access.get(key);
    if (!p) {
      p = guard(async () => myAccessFor(this.kubeconfigFor(context), namespace));
      this.access.set(key, p);
    }
    return p;
  }

  /** The model of one context (cached until refresh). */
  model(context: string): Promise<Cached<IdentitiesModel>> {
    let p = this.models.get(context);
    if (!p) {
      const s = this.deps.readSettings();
      const started = Date.now();
      p = guard(async () => {
        const model = await identitiesFor(this.kubeconfigFor(context), {
          namespaces: 'all',
          fallbackNamespaces: s.namespace ? [s.namespace] : [],
          allServiceAccounts: this.showAll,
          severities: s.rules,
        });
        this.deps.output.info(
          `identities of context ${context}: ${model.stats.identities} identities in ${model.namespaces.length} namespaces (${model.scope === 'cluster' ? 'cluster-wide' : 'per namespace'}), ${model.stats.listRequests} list requests, ${Date.now() - started} ms`,
        );
        return model;
      });
      p.then((r) => 'error' in r && this.deps.output.warn(`identities of context ${context}: ${r.error}`));
      this.models.set(context, p);
    }
    return p;
  }

  private contexts(): ViewNode[] {
    const s = this.deps.readSettings();
    let loaded: LoadedKubeconfig;
    try {
      loaded = loadKubeconfig({ kubeconfig: s.kubeconfig, context: s.context, trusted: s.trusted });
    } catch (err) {
      const missing = err instanceof KubeconfigError && err.reason === 'missing';
      void commands.executeCommand('setContext', CONTEXT_KEYS.noKubeconfig, missing);
      if (missing) return [];
      return [{ kind: 'message', id: 'kubeconfig-error', label: 'Kubeconfig cannot be used', description: errorText(err), tooltip: escapeMarkdown(errorText(err)), icon: 'warning', color: 'warning', contextValue: 'message error', collapsible: 'none', context: '' }];
    }
    void commands.executeCommand('setContext', CONTEXT_KEYS.noKubeconfig, false);
    this.kubeconfigs.set(loaded.context, loaded);
    return loaded.kc.getContexts().map((c): ViewNode => {
      const active = c.name === loaded.context;
      return {
        kind: 'context',
        id: `ctx/${c.name}`,
        label: c.name,
        description: [active ? 'current' : '', c.cluster, c.namespace ? `namespace ${c.namespace}` : ''].filter(Boolean).join(' \u00b7 '),
        tooltip: `**${escapeMarkdown(c.name)}**\n\n${escapeMarkdown(`cluster ${c.cluster}, user ${c.user}${c.namespace ? `, namespace ${c.namespace}` : ''}`)}`,
        icon: active ? 'server-environment' : 'server',
        contextValue: `context${active ? ' active' : ''}`,
        collapsible: active ? 'expanded' : 'collapsed',
        context: c.name,
      };
    });
  }
}

/** Tooltip Markdown: no command links, no HTML (its cluster text is escaped by the node builders too). */
function untrustedMarkdown(text: string): MarkdownString {
  const md = new MarkdownString(text);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

async function guard<T>(fn: () => Promise<T>): Promise<Cached<T>> {
  try {
    return { value: await fn() };
  } catch (err) {
    return { error: errorText(err) };
  }
}

function errorNode(parent: ViewNode, message: string): ViewNode {
  return {
    kind: 'message',
    id: `${parent.id}/error`,
    label: message.split(': ')[0] ?? message,
    description: message.split(': ').slice(1).join(': '),
    tooltip: escapeMarkdown(message),
    icon: 'error',
    color: 'error',
    contextValue: 'message error',
    collapsible: 'none',
    context: parent.context,
  };
}

/** "verified 10:24: all allowed" / "verified 10:24: denied", in local time (same day), else with the date. */
export function verifiedText(v: { at: string; ok: boolean }, now = new Date()): string {
  const at = new Date(v.at);
  const sameDay = at.toDateString() === now.toDateString();
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `verified ${sameDay ? time : `${at.toLocaleDateString()} ${time}`}: ${v.ok ? 'all allowed' : 'denied'}`;
}
