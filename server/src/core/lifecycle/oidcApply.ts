// Applying a keyless binding: the Role (when it comes from a file) and the RoleBinding for the CI's OIDC user.
// Same discipline as createIdentity: the engine's escalation check with the acting user's live rules first, then
// the apiserver's own dry run, then server-side apply; a failure deletes exactly what this run created.
import type { V1Role, V1RoleBinding } from '@kubernetes/client-node';
import type { AnalyzeOptions } from '../engine/analyze';
import { Redactor } from '../stores/redact';
import { IdentityError, toIdentityError, withRollback } from './errors';
import { KubeIdentityCluster } from './kube';
import { checkNamespace } from './names';
import { roleObject } from './objects';
import { OIDC_ANNOTATIONS } from './oidc';
import { checkRole, liveRoleCheckOptions } from './roleCheck';
import { CreatedTracker } from './rollback';
import { noProgress, OWNER_LABEL, silentLogger, type ObjectRef, type Progress, type RoleSource } from './types';
import type { FlowDeps } from './steps';

export interface OidcApplyPlan {
  readonly namespace: string;
  /** The Role file (created) or an existing Role (only bound). */
  readonly role: RoleSource;
  /** The RoleBinding oidcBundle generated (oidcRoleBinding). */
  readonly roleBinding: V1RoleBinding;
}

export interface OidcApplyDeps extends FlowDeps {
  /** Analysis options with the acting user's held rules; default: live. */
  readonly roleCheckOptions?: (source: RoleSource) => Promise<AnalyzeOptions>;
}

export interface OidcApplyResult {
  readonly role: string;
  readonly roleBinding: string;
  readonly created: readonly ObjectRef[];
  readonly updated: readonly ObjectRef[];
}

/** Checks, dry-runs and applies; throws IdentityError (with the rollback outcome when something was created). */
export async function applyOidcBinding(plan: OidcApplyPlan, deps: OidcApplyDeps, progress: Progress = noProgress): Promise<OidcApplyResult> {
  const logger = deps.logger ?? silentLogger;
  const cluster = deps.cluster ?? new KubeIdentityCluster(deps.kubeconfig.kc);
  const redactor = new Redactor();
  const tracker = new CreatedTracker();
  const updated: ObjectRef[] = [];
  const { namespace } = plan;
  const bindingName = plan.roleBinding.metadata?.name ?? '';
  let step: 'check-role' | 'dry-run' | 'role' | 'role-binding' = 'check-role';
  let role: V1Role | undefined;
  try {
    checkNamespace(namespace);
    progress.step('check-role', 'Checking the Role against your permissions...');
    const options = deps.roleCheckOptions ? await deps.roleCheckOptions(plan.role) : await liveRoleCheckOptions(deps.kubeconfig, namespace, plan.role, bindingName);
    const check = checkRole(plan.role, namespace, bindingName, options);
    if (check.blocking.length) {
      const reasons = check.blocking.map((r) => `${plan.role.kind === 'file' ? `${plan.role.path ?? 'Role file'}:${r.line}: ` : ''}${r.message} [${r.ruleId}]`);
      throw new IdentityError(`The Role cannot be created or bound by you; nothing was created:\n${reasons.map((r) => `  ${r}`).join('\n')}`, 'role-check', 'check-role', reasons);
    }
    if (check.roleName !== plan.roleBinding.roleRef.name) throw new IdentityError(`the RoleBinding names Role ${plan.roleBinding.roleRef.name}, the Role is ${check.roleName}`, 'invalid', 'check-role');
    const [existingRole, existingBinding] = await Promise.all([cluster.readRole(namespace, check.roleName), cluster.readRoleBinding(namespace, bindingName)]);
    if (plan.role.kind === 'existing' && !existingRole) throw new IdentityError(`Role ${namespace}/${check.roleName} does not exist.`, 'not-found', 'check-role');
    if (plan.role.kind !== 'existing' && existingRole && existingRole.metadata?.labels?.[OWNER_LABEL] !== bindingName) {
      throw new IdentityError(`Role ${namespace}/${check.roleName} already exists and was not created for this binding; bind the existing Role instead, or rename the Role in the file.`, 'conflict', 'role');
    }
    const wanted = plan.roleBinding.subjects?.[0]?.name;
    if (existingBinding && existingBinding.metadata?.annotations?.[OIDC_ANNOTATIONS.subject] === undefined) {
      throw new IdentityError(`RoleBinding ${namespace}/${bindingName} already exists and is not a keyless binding of this tool; nothing was changed.`, 'conflict', 'role-binding');
    }
    if (existingBinding && (existingBinding.roleRef.name !== check.roleName || existingBinding.subjects?.[0]?.name !== wanted)) {
      throw new IdentityError(
        `RoleBinding ${namespace}/${bindingName} already binds ${existingBinding.subjects?.[0]?.name ?? 'nobody'} to Role ${existingBinding.roleRef.name}; delete it first to bind ${wanted} to ${check.roleName}.`,
        'conflict',
        'role-binding',
      );
    }
    role = plan.role.kind !== 'existing' && check.role ? roleObject(namespace, bindingName, check.role) : undefined;

    step = 'dry-run';
    progress.step('dry-run', 'Asking the API server for a dry run...');
    // The apiserver's verdict (its escalation check included) before anything is persisted.
    if (role) await cluster.apply(role, { dryRun: true, force: true });
    if (!role || existingRole) await cluster.apply(plan.roleBinding, { dryRun: true, force: true });

    if (role) {
      step = 'role';
      progress.step('role', `Applying Role ${namespace}/${check.roleName}...`);
      await cluster.apply(role, { force: true });
      const ref: ObjectRef = { kind: 'Role', namespace, name: check.roleName };
      if (existingRole) updated.push(ref);
      else tracker.add(ref);
    }
    step = 'role-binding';
    progress.step('role-binding', `Applying RoleBinding ${namespace}/${bindingName}...`);
    await cluster.apply(plan.roleBinding, { force: true });
    if (existingBinding) updated.push({ kind: 'RoleBinding', namespace, name: bindingName });
    else tracker.add({ kind: 'RoleBinding', namespace, name: bindingName });
    logger.info(`Applied the keyless binding of ${wanted} to Role ${namespace}/${check.roleName}.`);
    return { role: check.roleName, roleBinding: bindingName, created: tracker.created, updated };
  } catch (err) {
    const failure = toIdentityError(err, step, redactor);
    if (!tracker.created.length) throw failure;
    logger.error(failure.message);
    progress.step('rollback', 'Rolling back what this run created...');
    throw withRollback(failure, await tracker.rollback(cluster, logger), redactor);
  }
}
