import { workspace, type WorkspaceConfiguration } from 'vscode';
import { normalizeSettings, type PipelineRbacSettings } from '../../server/src/shared/settings';

/** The settings as one typed object, the same shape the server and the CLI use. */
export function readSettings(): PipelineRbacSettings {
  const c: WorkspaceConfiguration = workspace.getConfiguration('pipelineRbac');
  return normalizeSettings({
    kubeconfig: c.get('kubeconfig'),
    context: c.get('context'),
    namespace: c.get('namespace'),
    live: { enable: c.get('live.enable'), dryRunOnSave: c.get('live.dryRunOnSave'), cacheTtlSeconds: c.get('live.cacheTtlSeconds') },
    rules: c.get('rules'),
    manifests: c.get('manifests'),
    deployVerbs: c.get('deployVerbs'),
    deployer: c.get('deployer'),
    // Restricted settings (package.json): VS Code gives only the user's value in an untrusted workspace.
    helm: { path: c.get('helm.path') },
    kustomize: { path: c.get('kustomize.path') },
    validateDelay: c.get('validateDelay'),
    trusted: workspace.isTrusted,
  });
}
