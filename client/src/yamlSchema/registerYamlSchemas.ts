/**
 * Contributes the RBAC schemas to Red Hat YAML when it is installed (no extensionDependencies: it is optional).
 * Registered through its extension API's registerContributor at activation, or as soon as it gets installed.
 */
import { extensions, workspace, type Disposable, type ExtensionContext, type LogOutputChannel } from 'vscode';
import { CONTRIBUTOR, makeContributor } from './rbacSchema';
import { errorText } from '../../../server/src/core/engine';

export const YAML_EXTENSION_ID = 'redhat.vscode-yaml';

/** The part of vscode-yaml's exported API we use (src/schema-extension-api.ts upstream). */
interface YamlExtensionApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => string | undefined,
    label?: string,
  ): boolean;
}

function isYamlApi(x: unknown): x is YamlExtensionApi {
  return typeof x === 'object' && x !== null && typeof (x as { registerContributor?: unknown }).registerContributor === 'function';
}

export function registerYamlSchemas(context: ExtensionContext, output: LogOutputChannel): void {
  let done = false;
  const tryRegister = async (): Promise<void> => {
    const ext = extensions.getExtension(YAML_EXTENSION_ID);
    if (!ext || done) return;
    done = true;
    try {
      const api: unknown = ext.isActive ? ext.exports : await ext.activate();
      if (!isYamlApi(api)) {
        output.warn(`${YAML_EXTENSION_ID} ${String(ext.packageJSON?.version ?? '')} has no registerContributor API; RBAC schemas not contributed.`);
        return;
      }
      const c = makeContributor((resource) => workspace.textDocuments.find((d) => d.uri.toString() === resource)?.getText());
      const ok = api.registerContributor(CONTRIBUTOR, (r) => c.requestSchema(r), (u) => c.requestSchemaContent(u));
      output.info(ok ? `RBAC schemas contributed to ${YAML_EXTENSION_ID} (files whose documents are all RBAC kinds).` : `${YAML_EXTENSION_ID} already had a "${CONTRIBUTOR}" schema contributor.`);
    } catch (err) {
      done = false;
      output.warn(`Could not contribute RBAC schemas to ${YAML_EXTENSION_ID}: ${errorText(err)}`);
    }
  };
  void tryRegister();
  const sub: Disposable = extensions.onDidChange(() => void tryRegister());
  context.subscriptions.push(sub);
}
