/**
 * What every identity command shares: its dependencies, the acting kubeconfig, the output-channel Logger the
 * identity core writes its audit lines to, building the chosen store, and showing a failure (scrubbed again
 * of every credential this command touched, on top of the core's own scrubbing).
 */
import { window, workspace, type ExtensionContext, type LogOutputChannel } from 'vscode';
import {
  clusterEndpoint,
  IdentityError,
  insecureEndpointReasons,
  KeyValueExportRecords,
  type Logger,
  type RecordingPlan,
  recordKey,
} from '../../../server/src/core/lifecycle';
import { type LoadedKubeconfig, loadKubeconfig } from '../../../server/src/core/live';
import { createStore, Redactor, SecretStorageStore, type SecretStore, type StoreCredentials } from '../../../server/src/core/stores';
import { readSettings } from '../settings';
import type { IdentitiesView } from '../inventory/registerIdentitiesView';
import { exportSpec, exportTarget, recordTarget, type ExportChoice } from './exportChoice';
import type { IdentityDocuments } from './documents';
import { errorText } from '../../../server/src/core/engine';

export interface IdentityCommandDeps {
  context: ExtensionContext;
  output: LogOutputChannel;
  docs: IdentityDocuments;
  /** The Pipeline Identities view, refreshed after each command. */
  view?: IdentitiesView;
}

/** The identity core's Logger on the output channel (it never hands the Logger a token). */
export function channelLogger(output: LogOutputChannel): Logger {
  return { info: (m) => output.info(m), warn: (m) => output.warn(m), error: (m) => output.error(m) };
}

/** The kubeconfig of the settings (or of `context`, e.g. the tree node's); throws KubeconfigError. */
export function actingKubeconfig(context?: string): LoadedKubeconfig {
  const s = readSettings();
  return loadKubeconfig({ kubeconfig: s.kubeconfig, context: context || s.context, trusted: s.trusted });
}

/** Folder relative file targets resolve against (the first workspace folder), if any. */
export function workspaceDir(): string | undefined {
  const f = workspace.workspaceFolders?.[0];
  return f && (f.uri.scheme === 'file' || f.uri.scheme === 'vscode-remote') ? f.uri.fsPath : undefined;
}

export function buildStore(choice: ExportChoice, credentials: StoreCredentials, deps: IdentityCommandDeps): SecretStore {
  if (choice.kind === 'vscode') return new SecretStorageStore(deps.context.secrets, choice.key);
  const target = exportTarget(choice);
  if (!target) throw new Error(`no store for ${choice.kind}`);
  const cwd = workspaceDir();
  return createStore(target, credentials, { ...(cwd ? { cwd } : {}), ...(choice.kind === 'gitlab' ? { gitlabMode: choice.mode } : {}) });
}

/** This machine's export records (globalState): what Rotate and Revoke trust, never the annotations. */
export function exportRecords(deps: IdentityCommandDeps): KeyValueExportRecords {
  return new KeyValueExportRecords(deps.context.globalState);
}

export function identityRecordKey(loaded: LoadedKubeconfig, namespace: string, name: string): string {
  return recordKey(loaded.server, namespace, name);
}

/** How the core records an export to `choice` (one operation for create, rotate and Export Again). */
export function recordingPlan(deps: IdentityCommandDeps, loaded: LoadedKubeconfig, namespace: string, name: string, choice: ExportChoice): RecordingPlan {
  return { store: exportRecords(deps), key: identityRecordKey(loaded, namespace, name), target: recordTarget(choice), ...(choice.kind === 'gitlab' ? { gitlabMode: choice.mode } : {}) };
}

/** The CLI form for the export-target annotation (a hint for people), if the choice has one. */
export function annotationHint(choice: ExportChoice): string | undefined {
  return exportSpec(choice);
}

/**
 * An http:// API server or a context's insecure-skip-tls-verify is refused unless the user opts in here.
 * Returns whether to allow it (false: nothing insecure), or undefined when the user declined.
 */
export async function confirmInsecureServer(loaded: LoadedKubeconfig, server: string | undefined): Promise<boolean | undefined> {
  let reasons: string[];
  try {
    reasons = insecureEndpointReasons(clusterEndpoint(loaded, server));
  } catch {
    return false; // the core reports an unusable endpoint itself
  }
  if (!reasons.length) return false;
  const ALLOW = 'Export Insecure Kubeconfig';
  const choice = await window.showWarningMessage(
    'The exported kubeconfig would expose the pipeline token on the network.',
    { modal: true, detail: `${reasons.map((r) => `- ${r[0]?.toUpperCase()}${r.slice(1)}.`).join('\n')}\nUse an https API server with its CA, or export anyway.` },
    ALLOW,
  );
  return choice === ALLOW ? true : undefined;
}

/** A Redactor that knows the store credentials of this command. */
export function redactorFor(credentials: StoreCredentials): Redactor {
  return new Redactor([credentials.githubToken, credentials.gitlabToken, credentials.vaultToken]);
}

/**
 * Logs the whole (scrubbed) message with its reasons and rollback, and shows its first sentence in a notification
 * with "Show Output". A 401 from a store whose token is kept in SecretStorage offers to forget that token.
 */
export async function showFailure(deps: IdentityCommandDeps, what: string, err: unknown, redactor: Redactor, storedKey?: string): Promise<void> {
  const full = redactor.scrub(errorText(err));
  deps.output.error(`${what} failed: ${full}`);
  const first = full.split('\n')[0] ?? full;
  const actions = ['Show Output'];
  const unauthorized = err instanceof IdentityError && err.kind === 'export' && err.status === 401 && storedKey;
  if (unauthorized) actions.push('Forget Stored Token');
  const choice = await window.showErrorMessage(`Pipeline RBAC: ${what} failed: ${first}`, ...actions);
  if (choice === 'Show Output') deps.output.show(true);
  if (choice === 'Forget Stored Token' && storedKey) {
    await deps.context.secrets.delete(storedKey);
    deps.output.info(`Forgot the stored token ${storedKey}.`);
  }
}
