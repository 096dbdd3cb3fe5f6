/**
 * Loads the identity stack (dist/identity.js) on first use. Activation registers the view with a provider that
 * waits for the stack's, and a stub per stack command that loads the stack and hands the call over to the real
 * command, so opening a YAML file never parses the Kubernetes client, octokit, gitbeaker or libsodium.
 */
import * as path from 'node:path';
import {
  EventEmitter,
  commands,
  window,
  type Disposable,
  type Event,
  type ExtensionContext,
  type LogOutputChannel,
  type ProviderResult,
  type TreeDataProvider,
  type TreeItem,
} from 'vscode';
import type { ViewNode } from '../inventory/treeNodes';
import type { IdentityStackDeps } from './identityStack';
import { IDENTITIES_VIEW_ID, IDENTITY_STACK_COMMANDS } from './stackCommands';

/** Forwards to the stack's tree provider once attached; asks for the stack on the first getChildren. */
class LazyTreeProvider<T> implements TreeDataProvider<T> {
  private real: TreeDataProvider<T> | undefined;
  private readonly changed = new EventEmitter<T | undefined | void>();
  readonly onDidChangeTreeData: Event<T | undefined | void> = this.changed.event;

  constructor(private readonly load: () => void) {}

  attach(real: TreeDataProvider<T>): Disposable | undefined {
    this.real = real;
    this.changed.fire();
    return real.onDidChangeTreeData?.((e) => this.changed.fire(e as T | undefined));
  }

  getChildren(element?: T): ProviderResult<T[]> {
    if (!this.real) this.load();
    return this.real?.getChildren(element) ?? [];
  }

  getTreeItem(element: T): TreeItem | Thenable<TreeItem> {
    if (!this.real) throw new Error('Pipeline RBAC: the identities view is not loaded');
    return this.real.getTreeItem(element);
  }

  getParent(element: T): ProviderResult<T> {
    return this.real?.getParent?.(element);
  }
}

/** Registers the view and the stack command stubs; the stack itself is required on first use. */
export function registerLazyIdentityStack(context: ExtensionContext, output: LogOutputChannel): void {
  let loaded = false;
  const load = (): void => {
    if (loaded) return;
    const started = performance.now();
    // A plain require of the sibling bundle: esbuild leaves it alone, so the stack stays out of dist/client.js.
    const stack = require(path.join(__dirname, 'identity.js')) as typeof import('./identityStack');
    loaded = true;
    for (const s of stubs) s.dispose();
    const deps: IdentityStackDeps = { context, output, host: { treeView, attach: (p) => tree.attach(p) } };
    stack.registerIdentityStack(deps);
    output.debug(`identity stack loaded in ${Math.round(performance.now() - started)} ms`);
  };
  const tree = new LazyTreeProvider<ViewNode>(load);
  const treeView = window.createTreeView(IDENTITIES_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(treeView);
  const stubs: Disposable[] = IDENTITY_STACK_COMMANDS.map((id) =>
    commands.registerCommand(id, (...args: unknown[]) => {
      load();
      return commands.executeCommand(id, ...args);
    }),
  );
  context.subscriptions.push({ dispose: () => stubs.forEach((s) => s.dispose()) });
}
