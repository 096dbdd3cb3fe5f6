import { ConfigurationTarget, window, workspace } from 'vscode';
import { KubeconfigError, loadKubeconfig } from '../../../server/src/core/live';
import { readSettings } from '../settings';

/** Status bar click: pick a context (or a namespace) for live checks; stored in the workspace settings. */
export async function switchContext(): Promise<void> {
  const s = readSettings();
  let loaded;
  try {
    loaded = loadKubeconfig({ kubeconfig: s.kubeconfig, context: s.context, trusted: s.trusted });
  } catch (err) {
    const msg = err instanceof KubeconfigError ? err.message : String(err);
    void window.showWarningMessage(`Pipeline RBAC: ${msg}. Set "pipelineRbac.kubeconfig" to a kubeconfig file.`);
    return;
  }
  const items = loaded.kc.getContexts().map((c) => ({
    label: c.name,
    description: [c.cluster, c.namespace ? `namespace ${c.namespace}` : ''].filter(Boolean).join(' \u00b7 '),
    picked: c.name === loaded.context,
  }));
  const switchNs = { label: '$(symbol-namespace) Switch namespace...', description: `now: ${s.namespace || loaded.namespace}` };
  const pick = await window.showQuickPick([switchNs, ...items], {
    title: 'Pipeline RBAC: context for live checks',
    placeHolder: `current: ${loaded.context}`,
  });
  if (!pick) return;
  if (pick === switchNs) return switchNamespace();
  await workspace.getConfiguration('pipelineRbac').update('context', pick.label, ConfigurationTarget.Workspace);
}

export async function switchNamespace(): Promise<void> {
  const s = readSettings();
  const ns = await window.showInputBox({
    title: 'Pipeline RBAC: namespace of Roles without metadata.namespace',
    value: s.namespace,
    placeHolder: "empty: the context's namespace",
    validateInput: (v) => (v === '' || /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? undefined : 'a namespace is a DNS label: lower-case letters, digits and -'),
  });
  if (ns === undefined) return;
  await workspace.getConfiguration('pipelineRbac').update('namespace', ns, ConfigurationTarget.Workspace);
}
