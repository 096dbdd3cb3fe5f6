/**
 * The last step of "Create OIDC Binding": apply the Role and RoleBinding to the cluster of the settings
 * (applyOidcBinding: your rights checked first, the apiserver's dry run, rollback on failure), or only open them
 * as manifests for GitOps. Returns what happened, for the summary.
 */
import { ProgressLocation, window } from 'vscode';
import { applyOidcBinding, oidcBindingObject, type OidcApplyResult, type OidcBundle } from '../../../server/src/core/lifecycle';
import type { LoadedKubeconfig } from '../../../server/src/core/live';
import { Redactor } from '../../../server/src/core/stores';
import { actingKubeconfig, channelLogger, showFailure, type IdentityCommandDeps } from './common';
import { pick, type StepPosition } from './wizard';

export type OidcOutcome = { kind: 'applied'; result: OidcApplyResult; context: string } | { kind: 'manifests' } | { kind: 'failed' };

export async function applyOrSave(
  deps: IdentityCommandDeps,
  pos: StepPosition,
  input: { namespace: string; role: { name: string; yaml?: string }; bundle: OidcBundle },
): Promise<OidcOutcome | undefined> {
  let loaded: LoadedKubeconfig | undefined;
  try {
    loaded = actingKubeconfig();
  } catch {
    loaded = undefined; // no cluster: manifests only
  }
  const what = input.role.yaml ? `Role ${input.role.name} and its RoleBinding` : `the RoleBinding to Role ${input.role.name}`;
  const how = await pick<'apply' | 'manifests'>({
    ...pos,
    placeholder: `Apply ${what} in ${input.namespace}, or open them as manifests?`,
    items: [
      ...(loaded
        ? [{ label: `$(cloud-upload) Apply to ${loaded.context}`, description: 'checked against your permissions first, rolled back on failure', value: 'apply' as const }]
        : []),
      { label: '$(file-code) Open as manifests', description: 'to commit for GitOps; nothing is applied', value: 'manifests' as const },
    ],
  });
  if (how === 'manifests' || !loaded) return { kind: 'manifests' };
  const kubeconfig = loaded;
  try {
    const result = await window.withProgress({ location: ProgressLocation.Notification, title: `Applying the keyless binding in ${input.namespace}` }, (progress) =>
      applyOidcBinding(
        {
          namespace: input.namespace,
          role: input.role.yaml ? { kind: 'file', text: input.role.yaml } : { kind: 'existing', name: input.role.name },
          roleBinding: oidcBindingObject(input.bundle),
        },
        { kubeconfig, logger: channelLogger(deps.output) },
        { step: (_s, message) => progress.report({ message }) },
      ),
    );
    deps.view?.refresh();
    return { kind: 'applied', result, context: kubeconfig.context };
  } catch (err) {
    await showFailure(deps, 'Create OIDC Binding', err, new Redactor());
    return { kind: 'failed' };
  }
}
