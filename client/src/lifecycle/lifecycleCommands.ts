/**
 * Rotate Token, Revoke Identity, Export Again and Save as Manifests: thin handlers over server/src/core/lifecycle.
 * From the tree they get the clicked node; from the palette (rotate, revoke) they ask which identity. Where the
 * kubeconfig goes (or is deleted) comes from the user or this machine's own export record (globalState), never from
 * the ServiceAccount's annotations, which are shown as hints only; each confirms the exact target, runs under a
 * progress notification, logs the audit lines, and refreshes the view.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProgressLocation, Uri, window, workspace } from 'vscode';
import { identitiesFor, type IdentitiesModel } from '../../../server/src/core/inventory';
import type { ViewNode } from '../inventory/treeNodes';
import {
  ANNOTATIONS,
  claimedExport,
  describeOldTokenCheck,
  type ExportRecord,
  formatDuration,
  identityManifests,
  KubeIdentityCluster,
  MAX_TOKEN_SECONDS,
  notRevokedMessage,
  parseDuration,
  planRbacRevoke,
  revokeIdentity,
  type RotateResult,
  rotateToken,
  rotationLifetime,
} from '../../../server/src/core/lifecycle';
import { lifetimeProblem } from './flowModel';
import type { LoadedKubeconfig } from '../../../server/src/core/live';
import { Redactor, type SecretStore } from '../../../server/src/core/stores';
import { readSettings } from '../settings';
import {
  actingKubeconfig,
  annotationHint,
  buildStore,
  channelLogger,
  confirmInsecureServer,
  exportRecords,
  identityRecordKey,
  recordingPlan,
  redactorFor,
  showFailure,
  type IdentityCommandDeps,
} from './common';
import { credentialsFor, type Credentials } from './credentials';
import { choiceFromRecord, credentialNeed, describeChoice, type ExportChoice } from './exportChoice';
import { askExport } from './exportStep';
import { manifestRoleSource, parsePipelineAnnotation, pipelineIdentities, refFromNode, revokeListing, type IdentityRef } from './lifecycleModel';
import { revokeSummary, rotateSummary } from './summaryDoc';
import { FlowCancelled, pick, type StepPosition } from './wizard';
import { errorText } from '../../../server/src/core/engine';

type Purpose = 'Rotate Token' | 'Revoke Identity' | 'Export Again' | 'Verify Identity';

function kubeconfigFor(deps: IdentityCommandDeps, context: string): LoadedKubeconfig {
  return deps.view ? deps.view.provider.kubeconfigFor(context) : actingKubeconfig(context);
}

/** The node's identity, or (palette) a pick among the pipeline identities of the current context. */
export async function resolveRef(deps: IdentityCommandDeps, node: ViewNode | undefined, purpose: Purpose): Promise<IdentityRef | undefined> {
  if (node) return refFromNode(node);
  let loaded: LoadedKubeconfig;
  try {
    loaded = actingKubeconfig();
  } catch (err) {
    void window.showErrorMessage(`Pipeline RBAC: ${errorText(err)}`);
    return undefined;
  }
  const s = readSettings();
  const models: Promise<IdentitiesModel> = deps.view
    ? deps.view.provider.model(loaded.context).then((m) => {
        if ('error' in m) throw new Error(m.error);
        return m.value;
      })
    : identitiesFor(loaded, { namespaces: 'all', fallbackNamespaces: s.namespace ? [s.namespace] : [], allServiceAccounts: false });
  try {
    return await pick<IdentityRef>({
      title: purpose,
      placeholder: `Which pipeline identity (context ${loaded.context})?`,
      loading: `Reading the pipeline identities of ${loaded.context}...`,
      items: models.then((m) => {
        const refs = pipelineIdentities(m, loaded.context);
        return refs.length
          ? refs.map((r) => ({ label: `$(robot) ${r.namespace}/${r.name}`, description: r.identity.annotations.exportedTo ?? '', detail: r.identity.annotations.pipeline, value: r }))
          : [{ label: 'No pipeline identities you can see in this context' }];
      }),
      matchOnDescription: true,
    });
  } catch (e) {
    if (e instanceof FlowCancelled) return undefined;
    void window.showErrorMessage(`Pipeline RBAC: cannot list pipeline identities: ${errorText(e)}`);
    return undefined;
  }
}

/** The ServiceAccount's current annotations (all of them), or an error shown to the user. */
async function freshAnnotations(deps: IdentityCommandDeps, loaded: LoadedKubeconfig, ref: IdentityRef): Promise<Record<string, string> | undefined> {
  try {
    const sa = await new KubeIdentityCluster(loaded.kc).readServiceAccount(ref.namespace, ref.name);
    if (!sa) {
      void window.showWarningMessage(`Pipeline RBAC: ServiceAccount ${ref.namespace}/${ref.name} no longer exists.`);
      deps.view?.refresh();
      return undefined;
    }
    return sa.metadata?.annotations ?? {};
  } catch (err) {
    void window.showErrorMessage(`Pipeline RBAC: reading ServiceAccount ${ref.namespace}/${ref.name} failed: ${errorText(err)}`);
    return undefined;
  }
}

interface StoreChoice {
  choice: ExportChoice;
  credentials: Credentials;
  store: SecretStore;
}

/** This machine's record of where it exported the identity (globalState), or undefined. */
async function localRecord(deps: IdentityCommandDeps, loaded: LoadedKubeconfig, ref: IdentityRef): Promise<ExportRecord | undefined> {
  return exportRecords(deps).get(identityRecordKey(loaded, ref.namespace, ref.name)).catch(() => undefined);
}

/**
 * The store this machine recorded (the caller's modal shows it exactly and asks before anything is written or
 * deleted), or a new one the user picks when nothing is recorded or `ask`. The ServiceAccount's annotations are
 * never used: they are cluster text anyone who may edit the ServiceAccount can rewrite.
 */
async function storeFor(deps: IdentityCommandDeps, ref: IdentityRef, recorded: ExportChoice | undefined, purpose: Purpose, ask: boolean): Promise<StoreChoice> {
  const at: StepPosition = { title: `${purpose}: ${ref.namespace}/${ref.name}`, back: false };
  if (ask || !recorded) {
    const e = await askExport({ context: ref.context, namespace: ref.namespace, name: ref.name, state: deps.context, ...(recorded ? { current: recorded } : {}) }, at);
    return { choice: e.choice, credentials: e.credentials, store: buildStore(e.choice, e.credentials.credentials, deps) };
  }
  const credentials = await credentialsFor(credentialNeed(recorded), deps.context, at);
  return { choice: recorded, credentials, store: buildStore(recorded, credentials.credentials, deps) };
}

/** The kubeconfig for the identity's context, or undefined after telling the user why not. */
function loadedOrShowError(deps: IdentityCommandDeps, ref: IdentityRef): LoadedKubeconfig | undefined {
  try {
    return kubeconfigFor(deps, ref.context);
  } catch (err) {
    void window.showErrorMessage(`Pipeline RBAC: ${errorText(err)}`);
    return undefined;
  }
}

async function rotateWith(deps: IdentityCommandDeps, ref: IdentityRef, purpose: Purpose, askStore: boolean): Promise<void> {
  const loaded = loadedOrShowError(deps, ref);
  if (!loaded) return;
  const annotations = await freshAnnotations(deps, loaded, ref);
  if (!annotations) return;
  const record = await localRecord(deps, loaded, ref);
  const recorded = choiceFromRecord(record);
  let target: StoreChoice;
  try {
    target = await storeFor(deps, ref, recorded, purpose, askStore);
  } catch (e) {
    if (e instanceof FlowCancelled) return;
    throw e;
  }
  const claimed = claimedExport(annotations).store;
  const OTHER = 'Other Lifetime...';
  // The lifetime is this machine's record (else 30 days) or what the user types here; the annotation is a hint only.
  let lifetime = rotationLifetime({ ...(record ? { record } : {}), annotations });
  for (;;) {
    const confirm = await window.showWarningMessage(
      `${purpose}: ${ref.namespace}/${ref.name}?`,
      {
        modal: true,
        detail: [
          `A new token is minted and exported to exactly: ${describeChoice(target.choice)}${target.choice === recorded ? ' (where this machine exported it last time)' : ''}.`,
          `It lives ${lifetime.describe}; at most ${formatDuration(MAX_TOKEN_SECONDS)}.`,
          ...lifetime.warnings,
          'Then the current token is revoked (its Secret, once proven to be this identity\'s, is deleted): pipelines still holding it get 401 Unauthorized.',
          ...(claimed && !recorded ? [`The ServiceAccount says it was exported to ${JSON.stringify(claimed)}: cluster text, not verified and not used.`] : []),
        ].join('\n'),
      },
      purpose === 'Export Again' ? 'Export with a New Token' : 'Rotate',
      OTHER,
    );
    if (!confirm) return;
    if (confirm !== OTHER) break;
    const text = await window.showInputBox({
      title: `${purpose}: ${ref.namespace}/${ref.name}`,
      prompt: 'Lifetime of the new token, e.g. 30d, 720h, 12h (10m to 365d). The API server may shorten it; the result says so.',
      value: formatDuration(lifetime.seconds),
      validateInput: lifetimeProblem,
    });
    if (text === undefined) return;
    lifetime = rotationLifetime({ asked: parseDuration(text), annotations });
  }
  const allowInsecureServer = await confirmInsecureServer(loaded, undefined);
  if (allowInsecureServer === undefined) return;
  const redactor = redactorFor(target.credentials.credentials);
  const hint = annotationHint(target.choice);
  let result: RotateResult;
  try {
    result = await window.withProgress({ location: ProgressLocation.Notification, title: `${purpose}: ${ref.namespace}/${ref.name}` }, (progress) =>
      rotateToken(
        { namespace: ref.namespace, name: ref.name, allowInsecureServer, durationSeconds: lifetime.seconds, ...(hint ? { exportTarget: hint } : {}) },
        { kubeconfig: loaded, store: target.store, logger: channelLogger(deps.output), records: recordingPlan(deps, loaded, ref.namespace, ref.name, target.choice) },
        { step: (_s, message) => progress.report({ message }) },
      ),
    );
  } catch (err) {
    await showFailure(deps, `${purpose} of ${ref.namespace}/${ref.name}`, err, redactor, target.credentials.storedKey);
    return;
  }
  deps.view?.refresh();
  const path = `/identities/${ref.namespace}/${ref.name}-rotated.md`;
  const pickAction = await window.showInformationMessage(
    `Pipeline RBAC: new token for ${ref.namespace}/${ref.name} exported to ${result.export.location}${result.token.expiresAt ? `, expires ${result.token.expiresAt}` : ''}${result.revokedSecrets.length ? `; the old token is revoked, ${describeOldTokenCheck(result.oldToken)}` : '; the old token was NOT revoked (see details)'}.${result.warnings.length ? ` ${result.warnings.length} warning(s): see details.` : ''}`,
    'Show Details',
  );
  if (pickAction) await deps.docs.open(path, rotateSummary(result), 'markdown');
}

export async function rotateCommand(deps: IdentityCommandDeps, node?: ViewNode): Promise<void> {
  const ref = await resolveRef(deps, node, 'Rotate Token');
  if (ref) await rotateWith(deps, ref, 'Rotate Token', false);
}

export async function exportAgainCommand(deps: IdentityCommandDeps, node?: ViewNode): Promise<void> {
  const ref = await resolveRef(deps, node, 'Export Again');
  if (ref) await rotateWith(deps, ref, 'Export Again', true);
}

export async function revokeCommand(deps: IdentityCommandDeps, node?: ViewNode): Promise<void> {
  const ref = await resolveRef(deps, node, 'Revoke Identity');
  if (!ref) return;
  const loaded = loadedOrShowError(deps, ref);
  if (!loaded) return;
  const annotations = await freshAnnotations(deps, loaded, ref);
  if (!annotations) return;
  let listing: { deleted: string[]; kept: string[] };
  try {
    listing = revokeListing(ref.namespace, ref.name, await planRbacRevoke(new KubeIdentityCluster(loaded.kc), ref.namespace, ref.name));
  } catch (err) {
    void window.showErrorMessage(`Pipeline RBAC: reading the RoleBindings and Roles of ${ref.namespace}/${ref.name} failed: ${errorText(err)}`);
    return;
  }
  const recorded = choiceFromRecord(await localRecord(deps, loaded, ref));
  const claimed = claimedExport(annotations).store;
  const REVOKE = 'Revoke';
  const REVOKE_ALL = 'Revoke and Delete the Stored Kubeconfig';
  const choice = await window.showWarningMessage(
    `Revoke pipeline identity ${ref.namespace}/${ref.name}?`,
    {
      modal: true,
      detail: [
        'This deletes:',
        ...listing.deleted.map((d) => `  - ${d}`),
        ...(listing.kept.length ? ['Kept:', ...listing.kept.map((k) => `  - ${k}`)] : []),
        // Only this machine's own record names what "Delete the Stored Kubeconfig" deletes; the annotation is a hint.
        recorded ? `This machine exported its kubeconfig to exactly: ${describeChoice(recorded)}. It stops working; "${REVOKE_ALL}" deletes it too.` : '',
        !recorded && claimed ? `The ServiceAccount says its kubeconfig was exported to ${JSON.stringify(claimed)} (cluster text, not verified): it stops working; delete it there yourself.` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    },
    REVOKE,
    ...(recorded ? [REVOKE_ALL] : []),
  );
  if (!choice) return;
  let store: StoreChoice | undefined;
  if (choice === REVOKE_ALL && recorded) {
    try {
      store = await storeFor(deps, ref, recorded, 'Revoke Identity', false);
    } catch (e) {
      if (e instanceof FlowCancelled) return;
      throw e;
    }
  }
  const redactor = store ? redactorFor(store.credentials.credentials) : new Redactor();
  try {
    const result = await window.withProgress({ location: ProgressLocation.Notification, title: `Revoking ${ref.namespace}/${ref.name}` }, (progress) =>
      revokeIdentity(
        { namespace: ref.namespace, name: ref.name, deleteStoredSecret: !!store },
        { kubeconfig: loaded, logger: channelLogger(deps.output), records: { store: exportRecords(deps), key: identityRecordKey(loaded, ref.namespace, ref.name) }, ...(store ? { store: store.store } : {}) },
        { step: (_s, message) => progress.report({ message }) },
      ),
    );
    deps.view?.refresh();
    const what = `${result.deleted.length} object(s) deleted${result.storeDeleted ? ', stored kubeconfig deleted' : ''}; ${describeOldTokenCheck(result.oldToken)}`;
    // Never "revoked" while a binding still names the ServiceAccount: a new one of that name would get its rights.
    const pickAction = result.remaining.length
      ? await window.showWarningMessage(`Pipeline RBAC: ${notRevokedMessage(ref.namespace, ref.name, result.remaining)} (${what}).`, 'Show Details')
      : await window.showInformationMessage(`Pipeline RBAC: revoked ${ref.namespace}/${ref.name} (${what}).`, 'Show Details');
    if (pickAction) await deps.docs.open(`/identities/${ref.namespace}/${ref.name}-revoked.md`, revokeSummary(result), 'markdown');
  } catch (err) {
    deps.view?.refresh();
    await showFailure(deps, `Revoking ${ref.namespace}/${ref.name}`, err, redactor, store?.credentials.storedKey);
  }
}

/** Writes the identity's ServiceAccount, Role and RoleBinding as YAML into the workspace (for GitOps). */
export async function saveManifestsCommand(deps: IdentityCommandDeps, node?: ViewNode): Promise<void> {
  const ref = refFromNode(node);
  if (!ref) return;
  const loaded = loadedOrShowError(deps, ref);
  if (!loaded) return;
  const annotations = (await freshAnnotations(deps, loaded, ref)) ?? {};
  const role = manifestRoleSource(ref.identity, annotations);
  if (!role) {
    void window.showWarningMessage(`Pipeline RBAC: ${ref.namespace}/${ref.name} is bound to no Role this view could read; nothing to save.`);
    return;
  }
  let yaml: string;
  try {
    const pipeline = parsePipelineAnnotation(annotations[ANNOTATIONS.pipeline] ?? ref.identity.annotations.pipeline);
    yaml = identityManifests({ namespace: ref.namespace, name: ref.name, role, ...(pipeline ? { pipeline } : {}) });
  } catch (err) {
    void window.showErrorMessage(`Pipeline RBAC: ${errorText(err)}`);
    return;
  }
  const folder = workspace.workspaceFolders?.[0]?.uri;
  const defaultUri = folder ? Uri.joinPath(folder, `${ref.namespace}-${ref.name}.yaml`) : Uri.file(join(homedir(), `${ref.namespace}-${ref.name}.yaml`));
  const uri = await window.showSaveDialog({ title: `Save ${ref.namespace}/${ref.name} as manifests`, saveLabel: 'Save Manifests', defaultUri, filters: { YAML: ['yaml', 'yml'] } });
  if (!uri) return;
  await workspace.fs.writeFile(uri, new TextEncoder().encode(yaml));
  deps.output.info(`Saved the manifests of ${ref.namespace}/${ref.name} (${role.kind === 'rules' ? `Role ${role.name} with ${role.rules.length} rule(s)` : role.kind === 'existing' ? `binding to the existing Role ${role.name}` : 'Role file'}) to ${uri.fsPath}`);
  await window.showTextDocument(await workspace.openTextDocument(uri));
}
