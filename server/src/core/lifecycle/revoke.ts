// "Revoke Identity": delete the token Secrets (revoking the tokens), the RoleBinding and Role this tool created
// for it (revokePlan.ts: proven from the objects, never from the annotations), the ServiceAccount, and optionally the stored kubeconfig in the store the caller chose (never
// one the annotations name). Only objects that provably are this identity's are deleted (token Secrets: see
// tokenSecrets.ts); deletion goes on past a failure and reports every outcome; then every binding that still names
// the ServiceAccount is reported (`remaining`: the revoke is incomplete) and the old token is checked.
import { Redactor } from '../stores/redact';
import type { SecretStore } from '../stores/secretStore';
import { auditSubject, logAudit } from './audit';
import { IdentityError, toIdentityError } from './errors';
import type { ExportRecordStore } from './exportRecords';
import { apiserverProbe, serviceAccountTokenIn, waitUntilRefused, type OldTokenCheck, type TokenProbe } from './tokenProbe';
import { findTokenSecrets, type TokenSecretCandidate } from './tokenSecrets';
import { planRbacRevoke, remainingGrants } from './revokePlan';
import { KubeIdentityCluster } from './kube';
import { checkNamespace, checkServiceAccountName } from './names';
import { claimedExport } from './exportRecords';
import { ANNOTATIONS, IDENTITY_LABEL, describeRef, noProgress, silentLogger, type ObjectRef, type Progress } from './types';
import { errorText } from '../engine/text/errorText';
import type { FlowDeps } from './steps';

export interface RevokeRequest {
  readonly namespace: string;
  readonly name: string;
  /** Also delete the kubeconfig from `deps.store`. */
  readonly deleteStoredSecret?: boolean;
}

export interface RevokeDeps extends FlowDeps {
  /** Required when deleteStoredSecret is set: the store the user chose or this machine recorded. */
  readonly store?: SecretStore;
  /** This machine's export record (the uid of the token Secret it created); deleted once the identity is gone. */
  readonly records?: { readonly store: ExportRecordStore; readonly key: string };
  readonly probe?: TokenProbe;
  readonly probeTimeoutMs?: number;
}

export interface RevokeResult {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly deleted: readonly string[];
  readonly alreadyGone: readonly string[];
  /** Objects left on purpose (an existing Role not created by this tool). */
  readonly kept: readonly string[];
  /** store.describe() when the stored kubeconfig was deleted. */
  readonly storeDeleted?: string;
  /** What the exported-to annotation claimed (cluster text, shown as a hint only, never used). */
  readonly claimedExport?: string;
  /** Bindings that still name the ServiceAccount after the revoke: non-empty means it is NOT fully revoked. */
  readonly remaining: readonly string[];
  /** What could not be listed, so is not known to be free of such bindings. */
  readonly unchecked: readonly string[];
  /** Whether the old token is now refused by the API server. */
  readonly oldToken: OldTokenCheck;
  readonly warnings: readonly string[];
}

export async function revokeIdentity(req: RevokeRequest, deps: RevokeDeps, progress: Progress = noProgress): Promise<RevokeResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const cluster = deps.cluster ?? new KubeIdentityCluster(deps.kubeconfig.kc);
  const redactor = new Redactor();
  const { namespace, name } = req;
  const deleted: string[] = [];
  const alreadyGone: string[] = [];
  const kept: string[] = [];
  const failures: string[] = [];
  const warnings: string[] = [];

  let actor: string;
  let annotations: Record<string, string> = {};
  let saExists: boolean;
  const targets: ObjectRef[] = [];
  let secrets: readonly TokenSecretCandidate[] = [];
  const oldTokens: string[] = [];
  try {
    checkNamespace(namespace);
    checkServiceAccountName(name);
    if (req.deleteStoredSecret && !deps.store) throw new IdentityError('Deleting the stored kubeconfig needs the store it was exported to.', 'invalid', 'preflight');
    progress.step('preflight', `Reading identity ${namespace}/${name}...`);
    const [who, sa] = await Promise.all([cluster.whoami(), cluster.readServiceAccount(namespace, name)]);
    actor = who.username;
    saExists = !!sa;
    if (sa && sa.metadata?.labels?.[IDENTITY_LABEL] !== 'true') {
      throw new IdentityError(`ServiceAccount ${namespace}/${name} is not a pipeline identity (no label ${IDENTITY_LABEL}=true); nothing was deleted.`, 'conflict', 'preflight');
    }
    annotations = sa?.metadata?.annotations ?? {};
    const record = deps.records ? await deps.records.store.get(deps.records.key).catch(() => undefined) : undefined;
    const claimed = annotations[ANNOTATIONS.tokenSecret];
    const found = await findTokenSecrets(cluster, {
      namespace,
      serviceAccount: { name, ...(sa?.metadata?.uid ? { uid: sa.metadata.uid } : {}) },
      ...(claimed ? { claimed } : {}),
      ...(record?.tokenSecret ? { recorded: record.tokenSecret } : {}),
    });
    secrets = found.proven;
    for (const r of found.refused) kept.push(`Secret ${namespace}/${r.name} (named by the token-secret annotation, but not this identity's token: ${r.reason})`);
    if (!secrets.length && sa) warnings.push('No token Secret of this identity was found; its tokens end with the ServiceAccount (the garbage collector deletes the Secrets it owns).');
    for (const c of secrets) if (c.token) oldTokens.push(c.token);
    if (req.deleteStoredSecret && deps.store) {
      const old = serviceAccountTokenIn(await deps.store.readBack?.().catch(() => undefined), namespace, name);
      if (old) oldTokens.push(old);
    }
    for (const t of oldTokens) redactor.add(t);

    // Which RoleBinding and Role are this identity's is proven from the objects themselves, never from annotations.
    const rbac = await planRbacRevoke(cluster, namespace, name);
    targets.push(...rbac.targets);
    kept.push(...rbac.kept);
    if (sa) targets.push({ kind: 'ServiceAccount', namespace, name });
    else alreadyGone.push(`ServiceAccount ${namespace}/${name}`);
  } catch (err) {
    throw toIdentityError(err, 'preflight', redactor);
  }

  for (const c of secrets) {
    const ref: ObjectRef = { kind: 'Secret', namespace, name: c.name };
    progress.step('delete', `Deleting ${describeRef(ref)}...`);
    try {
      if (await cluster.delete(ref, { uid: c.uid })) deleted.push(describeRef(ref));
      else alreadyGone.push(describeRef(ref));
    } catch (err) {
      if ((err as { kind?: string }).kind === 'conflict') kept.push(`${describeRef(ref)} (replaced by another object of that name; left alone)`);
      else failures.push(toIdentityError(err, 'delete', redactor).message);
    }
  }
  for (const ref of targets) {
    progress.step('delete', `Deleting ${describeRef(ref)}...`);
    try {
      if (await cluster.delete(ref)) deleted.push(describeRef(ref));
      else alreadyGone.push(describeRef(ref));
    } catch (err) {
      failures.push(toIdentityError(err, 'delete', redactor).message);
    }
  }
  let storeDeleted: string | undefined;
  if (req.deleteStoredSecret && deps.store) {
    progress.step('delete', `Deleting the kubeconfig from ${deps.store.describe()}...`);
    try {
      await deps.store.delete();
      storeDeleted = deps.store.describe();
    } catch (err) {
      failures.push(toIdentityError(err, 'delete', redactor).message);
    }
  }

  logAudit(logger, {
    ...auditSubject(deps.kubeconfig, actor, namespace, name, now().toISOString()),
    action: 'revoke',
    ...(storeDeleted ? { store: storeDeleted } : {}),
    details: { deleted: deleted.join(', ') || 'nothing', ...(failures.length ? { failed: String(failures.length) } : {}) },
  });
  if (failures.length) {
    const message = `Revoking ${namespace}/${name} was incomplete. ${deleted.length ? `Deleted: ${deleted.join(', ')}. ` : ''}Failed: ${failures.join(' ')}`;
    logger.error(message);
    throw new IdentityError(redactor.scrub(message), 'cluster', 'delete', failures);
  }
  // Whatever still names the ServiceAccount would grant a new one of that name the revoked rights: say so.
  const grants = await remainingGrants(cluster, namespace, name);
  if (grants.direct.length) logger.error(notRevokedMessage(namespace, name, grants.direct));
  if (grants.viaGroups.length) warnings.push(`${grants.viaGroups.join(', ')} grant${grants.viaGroups.length === 1 ? 's' : ''} every ServiceAccount of ${namespace} (this name included) through a group.`);
  if (grants.unchecked.length) warnings.push(`Not checked for bindings that still name ${namespace}/${name}: ${grants.unchecked.join('; ')}.`);
  if (!saExists && deleted.length === 0 && !grants.direct.length) warnings.push(`No identity ${namespace}/${name} was found; nothing to revoke.`);
  if (deps.records) {
    await deps.records.store.delete(deps.records.key).catch((e: unknown) => warnings.push(`This machine's export record could not be removed: ${errorText(e)}.`));
  }
  const oldToken: OldTokenCheck = !deleted.length
    ? { state: 'not-checked', reason: 'nothing was deleted' }
    : !oldTokens.length
      ? { state: 'not-checked', reason: req.deleteStoredSecret ? 'the stored kubeconfig could not be read back' : 'the stored kubeconfig is read back only when it is deleted too' }
      : await waitUntilRefused(deps.probe ?? apiserverProbe(deps.kubeconfig), oldTokens, deps.probeTimeoutMs !== undefined ? { timeoutMs: deps.probeTimeoutMs } : {});
  if (oldToken.state === 'still-accepted') warnings.push(`The old token was not refused within ${oldToken.seconds} s.`);
  for (const w of warnings) logger.warn(w);
  const claimed = claimedExport(annotations).store;
  return {
    namespace,
    serviceAccount: name,
    deleted,
    alreadyGone,
    kept,
    ...(storeDeleted ? { storeDeleted } : {}),
    ...(claimed ? { claimedExport: claimed } : {}),
    remaining: grants.direct,
    unchecked: grants.unchecked,
    oldToken,
    warnings,
  };
}

/** The one sentence for a revoke that left bindings naming the ServiceAccount (summaries and the log). */
export function notRevokedMessage(namespace: string, name: string, remaining: readonly string[]): string {
  const one = remaining.length === 1;
  return `NOT fully revoked: ${remaining.join(', ')} still name${one ? 's' : ''} ServiceAccount ${namespace}/${name}, so a new ServiceAccount of that name gets ${one ? 'its' : 'their'} rights; delete ${one ? 'it' : 'them'} or remove the subject.`;
}
