// The whole "create pipeline identity" flow: preflight, Role check, ServiceAccount/Role/RoleBinding
// (server-side apply, idempotent), token, kubeconfig, export, audit. Any failure after the first
// object exists deletes exactly what this run created, and the error quotes the apiserver.
import type { KubernetesObject, V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import type { AnalyzeOptions } from '../engine/analyze';
import { Redactor } from '../stores/redact';
import type { SecretStore } from '../stores/secretStore';
import { auditSubject, creationAnnotations, exportedAnnotations, logAudit, ourAnnotations } from './audit';
import { revokePrevious, rollbackCreate } from './createRecovery';
import { IdentityError, toIdentityError } from './errors';
import { KubeIdentityCluster, type IdentityCluster } from './kube';
import { recordExport, type RecordingPlan } from './exportRecords';
import { buildKubeconfig, checkEndpointSecurity, clusterEndpoint, endpointWarnings, type ClusterEndpoint } from './kubeconfig';
import { checkNamespace, checkServiceAccountName, checkTokenSeconds, serviceAccountUsername } from './names';
import { roleBindingObject, roleObject, serviceAccountObject } from './objects';
import { preflight, type PreflightReport } from './preflight';
import { checkRole, liveRoleCheckOptions, type RoleCheck } from './roleCheck';
import { CreatedTracker } from './rollback';
import { StepRunner, type IssueFlowDeps } from './steps';
import { exportInfo, exportKubeconfig, mintKubeconfig, type IssueContext } from './issue';
import {
  ANNOTATIONS,
  IDENTITY_LABEL,
  OWNER_LABEL,

  noProgress,
  silentLogger,
  type IdentityPlan,
  type IdentityResult,
  type Logger,
  type ObjectRef,
  type Progress,
  type RoleSource,
  type TokenKind,
} from './types';

export interface IdentityDeps extends IssueFlowDeps {
  /** Where the kubeconfig goes. */
  readonly store: SecretStore;
  /** Analysis options with the acting user's held rules; default: live (LiveEnvironment). */
  readonly roleCheckOptions?: (source: RoleSource) => Promise<AnalyzeOptions>;
  /** A preflight the UI already ran and showed; reused when it passed for this namespace and context. */
  readonly preflight?: PreflightReport;
  /** This machine's export record, written after the export (what rotate and revoke trust later). */
  readonly records?: RecordingPlan;
}

/** A realistic placeholder so the store can check names, size and masking before anything exists. */
const PLACEHOLDER_TOKEN = `eyJhbGciOiJSUzI1NiJ9.${'A'.repeat(1400)}.${'B'.repeat(342)}`;

export function clusterFor(deps: Pick<IdentityDeps, 'cluster' | 'kubeconfig'>): IdentityCluster {
  return deps.cluster ?? new KubeIdentityCluster(deps.kubeconfig.kc);
}

/** What a create preflight depends on; the UI asks before it has a whole plan (server: the kubeconfig's when absent). */
export interface CreatePreflight {
  readonly namespace: string;
  readonly tokenKind: TokenKind;
  readonly createsRole: boolean;
  readonly server?: string;
}

function createPreflightOf(plan: IdentityPlan): CreatePreflight {
  return { namespace: plan.namespace, tokenKind: plan.token.kind, createsRole: plan.role.kind !== 'existing', ...(plan.server ? { server: plan.server } : {}) };
}

/** The preflight of a create, as the UI shows it before asking to continue. */
export function preflightFor(what: CreatePreflight, deps: Pick<IdentityDeps, 'cluster' | 'kubeconfig'>): Promise<PreflightReport> {
  return preflight(
    clusterFor(deps),
    { context: deps.kubeconfig.context, server: what.server || deps.kubeconfig.server, namespace: what.namespace },
    { operation: 'create', tokenKind: what.tokenKind, createsRole: what.createsRole },
  );
}

/** The Role check for a plan (engine + live held rules), without creating anything. */
export async function checkPlanRole(plan: IdentityPlan, deps: Pick<IdentityDeps, 'roleCheckOptions' | 'kubeconfig'>): Promise<RoleCheck> {
  const options = deps.roleCheckOptions
    ? await deps.roleCheckOptions(plan.role)
    : await liveRoleCheckOptions(deps.kubeconfig, plan.namespace, plan.role, plan.name);
  return checkRole(plan.role, plan.namespace, plan.name, options);
}

/** "role.yaml:7: message [not-held]" for a file; generated documents have no useful line numbers. */
export function formatReasons(check: RoleCheck, path?: string): string[] {
  return check.blocking.map((r) => `${path ? `${path}:${r.line}: ` : ''}${r.message} [${r.ruleId}]`);
}

export async function createIdentity(plan: IdentityPlan, deps: IdentityDeps, progress: Progress = noProgress): Promise<IdentityResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const cluster = clusterFor(deps);
  const redactor = new Redactor();
  const tracker = new CreatedTracker();
  const updated: ObjectRef[] = [];
  const warnings: string[] = [];
  const { namespace, name } = plan;
  const steps = new StepRunner(progress, deps.afterStep, tracker);

  const { report, check, endpoint } = await createPreflight(plan, deps, { cluster, steps, redactor, warnings, logger });

  let annotatedExisting: V1ServiceAccount | undefined;
  let stored: 'created' | 'updated' | undefined;
  try {
    const previousRecord = deps.records ? await deps.records.store.get(deps.records.key).catch(() => undefined) : undefined;
    steps.enter('dry-run', 'Reading existing objects and asking the API server for a dry run...');
    const roleName = check.roleName;
    const roleOwned = plan.role.kind !== 'existing';
    const existing = await readExisting(cluster, namespace, name, roleOwned ? roleName : undefined);
    ensureOurs(existing, namespace, name, roleName);
    const at = now().toISOString();
    const baseAnnotations = {
      ...ourAnnotations(existing.sa?.metadata?.annotations),
      ...creationAnnotations({
        actor: report.user.username,
        at,
        previous: existing.sa?.metadata?.annotations,
        ...(plan.pipeline ? { pipeline: plan.pipeline } : {}),
        role: roleName,
        roleOwned,
        roleBinding: name,
      }),
    };
    const saObject = serviceAccountObject(namespace, name, baseAnnotations);
    const role = roleOwned && check.role ? roleObject(namespace, name, check.role) : undefined;
    // The apiserver's own verdict before anything is persisted (escalation check included).
    await cluster.apply(saObject, { dryRun: true, force: true });
    if (role) await cluster.apply(role, { dryRun: true, force: true });

    steps.enter('service-account', `Applying ServiceAccount ${namespace}/${name}...`);
    const sa = await applyTracked(cluster, saObject, !!existing.sa, tracker, updated);
    await steps.done('service-account');

    if (role) {
      steps.enter('role', `Applying Role ${namespace}/${roleName}...`);
      await applyTracked(cluster, role, !!existing.role, tracker, updated);
      await steps.done('role');
    }

    steps.enter('role-binding', `Applying RoleBinding ${namespace}/${name}...`);
    await applyTracked(cluster, roleBindingObject(namespace, name, roleName), !!existing.binding, tracker, updated);
    await steps.done('role-binding');

    const issue: IssueContext = { cluster, steps, tracker, redactor, warnings, now, legacyTokenTimeoutMs: deps.legacyTokenTimeoutMs };
    const tokenMessage = plan.token.kind === 'request' ? 'Requesting a token bound to a Secret...' : 'Creating a service-account-token Secret...';
    const { minted, kubeconfig } = await mintKubeconfig(issue, { namespace, name, uid: sa.metadata?.uid, endpoint }, { ...plan.token, message: tokenMessage });

    steps.enter('annotate', 'Recording the audit annotations...');
    const annotations = exportedAnnotations(baseAnnotations, deps.store.describe(), plan.exportTarget, minted.info);
    await cluster.apply(serviceAccountObject(namespace, name, annotations), { force: true });
    annotatedExisting = existing.sa;
    await steps.done('annotate');

    // The store write is the last step that can fail: everything before it can be rolled back.
    const put = await exportKubeconfig(issue, deps.store, kubeconfig, (p) => {
      stored = p.action;
      if (p.action === 'created') tracker.addStoreSecret(deps.store);
    });

    // A re-run replaces the identity's token: the previous one is revoked so one token is live at a time.
    if (existing.sa) {
      steps.current = 'revoke-old';
      await revokePrevious(
        cluster,
        {
          namespace,
          serviceAccount: { name, ...(sa.metadata?.uid ? { uid: sa.metadata.uid } : {}) },
          ...(existing.sa.metadata?.annotations?.[ANNOTATIONS.tokenSecret] ? { claimed: existing.sa.metadata.annotations[ANNOTATIONS.tokenSecret] } : {}),
          ...(previousRecord?.tokenSecret ? { recorded: previousRecord.tokenSecret } : {}),
          exclude: minted.info.secretName,
        },
        { redactor, logger, warnings },
      );
    }
    if (deps.records) {
      const w = await recordExport(deps.records, minted.secretUid ? { name: minted.info.secretName, uid: minted.secretUid } : undefined, at, minted.info.requestedSeconds);
      if (w) warnings.push(w);
    }

    const audit = auditSubject(deps.kubeconfig, report.user.username, namespace, name, at);
    logAudit(logger, {
      ...audit,
      action: 'create',
      details: { role: roleName, tokenKind: minted.info.kind, ...(minted.info.expiresAt ? { tokenExpires: minted.info.expiresAt } : {}) },
    });
    logAudit(logger, { ...audit, action: 'export', store: deps.store.describe(), details: { result: put.action } });
    const unique = [...new Set(warnings)];
    for (const w of unique) logger.warn(w);

    return {
      namespace,
      serviceAccount: name,
      username: serviceAccountUsername(namespace, name),
      role: roleName,
      roleOwned,
      roleBinding: name,
      token: minted.info,
      export: exportInfo(deps.store, put),
      created: tracker.created,
      updated,
      warnings: unique,
      annotations,
    };
  } catch (err) {
    throw await rollbackCreate(err, { namespace, name, deps, cluster, tracker, steps, progress, redactor, logger, now, actor: report.user.username, annotatedExisting, stored });
  }
}

/**
 * The steps before anything exists (preflight, check-role, validate-export): who the caller is and what they may do,
 * the Role checked against that, the export target validated. Failures need no rollback.
 */
async function createPreflight(
  plan: IdentityPlan,
  deps: IdentityDeps,
  { cluster, steps, redactor, warnings, logger }: { cluster: IdentityCluster; steps: StepRunner; redactor: Redactor; warnings: string[]; logger: Logger },
): Promise<{ report: PreflightReport; check: RoleCheck; endpoint: ClusterEndpoint }> {
  const { namespace, name } = plan;
  try {
    checkNamespace(namespace);
    checkServiceAccountName(name);
    if (plan.token.kind === 'request') checkTokenSeconds(plan.token.durationSeconds);
    steps.enter('preflight', `Checking who you are and what you may do in ${namespace}...`);
    const given = deps.preflight;
    const report: PreflightReport = given?.ok && given.operation === 'create' && given.namespace === namespace && given.context === deps.kubeconfig.context ? given : await preflightFor(createPreflightOf(plan), deps);
    if (!report.ok) {
      const reasons = report.missing.map((m) => `${m.verb} ${m.subresource ? `${m.resource}/${m.subresource}` : m.resource} (to ${m.why})`);
      throw new IdentityError(
        `${report.user.username} may not do everything the flow needs in namespace ${namespace}: missing ${reasons.join(', ')}.\n${report.fix ?? ''}`.trimEnd(),
        'forbidden',
        'preflight',
        reasons,
      );
    }
    warnings.push(...report.warnings);
    logger.info(`Acting as ${report.user.username} in context ${report.context} (${report.server}), namespace ${namespace}.`);
    await steps.done('preflight');

    steps.enter('check-role', 'Checking the Role against your permissions...');
    const check = await checkPlanRole(plan, deps);
    if (check.blocking.length) {
      const reasons = formatReasons(check, plan.role.kind === 'file' ? (plan.role.path ?? 'Role file') : undefined);
      throw new IdentityError(
        `The Role cannot be created or bound by ${report.user.username}; nothing was created:\n${reasons.map((r) => `  ${r}`).join('\n')}`,
        'role-check',
        'check-role',
        reasons,
      );
    }
    if (plan.role.kind === 'existing' && !(await cluster.readRole(namespace, plan.role.name))) {
      throw new IdentityError(`Role ${namespace}/${plan.role.name} does not exist.`, 'not-found', 'check-role');
    }
    await steps.done('check-role');

    steps.enter('validate-export', `Checking ${deps.store.describe()}...`);
    const endpoint = clusterEndpoint(deps.kubeconfig, plan.server);
    checkEndpointSecurity(endpoint, plan.allowInsecureServer);
    warnings.push(...endpointWarnings(endpoint));
    deps.store.validate(buildKubeconfig({ cluster: endpoint, namespace, serviceAccount: name, token: PLACEHOLDER_TOKEN }));
    const storeWarning = deps.store.warning?.();
    if (storeWarning) warnings.push(storeWarning);
    await steps.done('validate-export');
    return { report, check, endpoint };
  } catch (err) {
    throw toIdentityError(err, steps.current, redactor);
  }
}

interface Existing {
  sa?: V1ServiceAccount;
  role?: V1Role;
  binding?: V1RoleBinding;
}

async function readExisting(cluster: IdentityCluster, namespace: string, name: string, roleName: string | undefined): Promise<Existing> {
  const [sa, role, binding] = await Promise.all([
    cluster.readServiceAccount(namespace, name),
    roleName ? cluster.readRole(namespace, roleName) : Promise.resolve(undefined),
    cluster.readRoleBinding(namespace, name),
  ]);
  return { ...(sa ? { sa } : {}), ...(role ? { role } : {}), ...(binding ? { binding } : {}) };
}

/** Objects of the same name that are not this identity's are never taken over. */
function ensureOurs(e: Existing, namespace: string, name: string, roleName: string): void {
  if (e.sa && e.sa.metadata?.labels?.[IDENTITY_LABEL] !== 'true') {
    throw new IdentityError(
      `ServiceAccount ${namespace}/${name} already exists and is not a pipeline identity (no label ${IDENTITY_LABEL}=true); choose another name.`,
      'conflict',
      'service-account',
    );
  }
  if (e.role && e.role.metadata?.labels?.[OWNER_LABEL] !== name) {
    throw new IdentityError(
      `Role ${namespace}/${roleName} already exists and was not created for this identity; rename the Role in the file, or bind the existing Role instead.`,
      'conflict',
      'role',
    );
  }
  if (e.binding) {
    if (e.binding.metadata?.labels?.[OWNER_LABEL] !== name) {
      throw new IdentityError(`RoleBinding ${namespace}/${name} already exists and was not created for this identity; choose another name.`, 'conflict', 'role-binding');
    }
    const ref = e.binding.roleRef;
    if (ref.kind !== 'Role' || ref.name !== roleName) {
      throw new IdentityError(
        `RoleBinding ${namespace}/${name} binds ${ref.kind} ${ref.name}, and a binding's role cannot change; revoke the identity first to bind Role ${roleName}.`,
        'conflict',
        'role-binding',
      );
    }
  }
}

async function applyTracked<T extends KubernetesObject>(
  cluster: IdentityCluster,
  obj: T,
  existed: boolean,
  tracker: CreatedTracker,
  updated: ObjectRef[],
): Promise<T> {
  const applied = await cluster.apply(obj, { force: true });
  const ref: ObjectRef = { kind: obj.kind as ObjectRef['kind'], namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
  if (existed) updated.push(ref);
  else tracker.add(ref);
  return applied;
}

