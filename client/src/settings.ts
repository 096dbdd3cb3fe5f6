import { workspace, type WorkspaceConfiguration } from 'vscode';
import { normalizeSettings, type PipelineRbacSettings } from '../../server/src/shared';

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
    validateDelay: c.get('validateDelay'),
    trusted: workspace.isTrusted,
  });
}
