// "Revoke Identity": delete the token Secret (revoking the token), the RoleBinding, the Role when this
// tool created it, the ServiceAccount, and optionally the stored kubeconfig. Only objects labelled as
// this identity's are deleted; deletion goes on past a failure and reports every outcome.
import type { LoadedKubeconfig } from '../live/kubeconfig';
import { Redactor } from '../stores/redact';
import type { SecretStore } from '../stores/secretStore';
import { logAudit } from './audit';
import { IdentityError, toIdentityError } from './errors';
import { KubeIdentityCluster, type IdentityCluster } from './kube';
import { checkNamespace, checkServiceAccountName } from './names';
import { ANNOTATIONS, IDENTITY_LABEL, OWNER_LABEL, describeRef, noProgress, silentLogger, type Logger, type ObjectRef, type Progress } from './types';

export interface RevokeRequest {
  readonly namespace: string;
  readonly name: string;
  /** Also delete the kubeconfig from `deps.store`. */
  readonly deleteStoredSecret?: boolean;
}

export interface RevokeDeps {
  readonly kubeconfig: LoadedKubeconfig;
  readonly logger?: Logger;
  readonly cluster?: IdentityCluster;
  /** Required when deleteStoredSecret is set. */
  readonly store?: SecretStore;
  readonly now?: () => Date;
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
  /** The `pipeline-rbac.io/export-target` annotation, so a caller can offer to delete the stored secret. */
  readonly exportTarget?: string;
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
    const tokenSecret = annotations[ANNOTATIONS.tokenSecret];
    if (tokenSecret) targets.push({ kind: 'Secret', namespace, name: tokenSecret });
    else if (sa) warnings.push('No token Secret was recorded on the ServiceAccount; its tokens end with it (bound Secrets are owned by it).');

    const bindingName = annotations[ANNOTATIONS.roleBinding] ?? name;
    const binding = await cluster.readRoleBinding(namespace, bindingName);
    if (binding && binding.metadata?.labels?.[OWNER_LABEL] === name) {
      targets.push({ kind: 'RoleBinding', namespace, name: bindingName });
      const roleName = annotations[ANNOTATIONS.role] ?? (binding.roleRef.kind === 'Role' ? binding.roleRef.name : undefined);
      if (roleName) {
        const role = await cluster.readRole(namespace, roleName);
        if (role && role.metadata?.labels?.[OWNER_LABEL] === name && annotations[ANNOTATIONS.roleOwned] !== 'false') {
          targets.push({ kind: 'Role', namespace, name: roleName });
        } else if (role) kept.push(`Role ${namespace}/${roleName} (not created by this tool)`);
      }
    } else if (binding) kept.push(`RoleBinding ${namespace}/${bindingName} (not created for this identity)`);
    else alreadyGone.push(`RoleBinding ${namespace}/${bindingName}`);
    if (sa) targets.push({ kind: 'ServiceAccount', namespace, name });
    else alreadyGone.push(`ServiceAccount ${namespace}/${name}`);
  } catch (err) {
    throw toIdentityError(err, 'preflight', redactor);
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
    action: 'revoke',
    actor,
    identity: `${namespace}/${name}`,
    context: deps.kubeconfig.context,
    server: deps.kubeconfig.server,
    at: now().toISOString(),
    ...(storeDeleted ? { store: storeDeleted } : {}),
    details: { deleted: deleted.join(', ') || 'nothing', ...(failures.length ? { failed: String(failures.length) } : {}) },
  });
  if (failures.length) {
    const message = `Revoking ${namespace}/${name} was incomplete. ${deleted.length ? `Deleted: ${deleted.join(', ')}. ` : ''}Failed: ${failures.join(' ')}`;
    logger.error(message);
    throw new IdentityError(redactor.scrub(message), 'cluster', 'delete', failures);
  }
  if (!saExists && deleted.length === 0) warnings.push(`No identity ${namespace}/${name} was found; nothing to revoke.`);
  for (const w of warnings) logger.warn(w);
  const exportTarget = annotations[ANNOTATIONS.exportTarget];
  return {
    namespace,
    serviceAccount: name,
    deleted,
    alreadyGone,
    kept,
    ...(storeDeleted ? { storeDeleted } : {}),
    ...(exportTarget ? { exportTarget } : {}),
    warnings,
  };
}
