import { Uri, workspace, type WorkspaceConfiguration } from 'vscode';
import { effectiveSetting, normalizeSettings, type PipelineRbacSettings, rawSettings, withoutWorkspaceValues } from '../../server/src/core/shared';

/**
 * One `pipelineRbac.*` value. In an untrusted workspace a restricted setting (settingsTrust.ts) is the user's value
 * or the default, never the workspace's: enforced here, not left to the editor.
 */
export function setting(c: WorkspaceConfiguration, key: string): unknown {
  return effectiveSetting(c, key, workspace.isTrusted);
}

/** The settings as one typed object, the same shape the server and the CLI use. */
export function readSettings(): PipelineRbacSettings {
  return normalizeSettings(rawSettings(workspace.getConfiguration('pipelineRbac'), workspace.isTrusted));
}

/**
 * The `pipelineRbac` section as the language server pulls it (workspace/configuration, scoped to a document), with
 * the same restriction: in an untrusted workspace its restricted keys carry the user's or the default value.
 */
export function sectionForServer(section: unknown, scopeUri: string | undefined): unknown {
  if (workspace.isTrusted) return section;
  const c = workspace.getConfiguration('pipelineRbac', scopeUri ? Uri.parse(scopeUri) : undefined);
  return withoutWorkspaceValues(section, (key) => c.inspect(key));
}
