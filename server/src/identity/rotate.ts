// "Rotate Token": a new token, re-exported to the same store, then the old one revoked (its bound
// Secret deleted) and the rotation recorded. Until the export succeeds, a failure deletes only the
// new Secret and the old token keeps working; after it, the new token is live and never rolled back.
import type { LoadedKubeconfig } from '../live/kubeconfig';
import { Redactor } from '../stores/redact';
import type { SecretStore } from '../stores/secretStore';
import { logAudit, ourAnnotations } from './audit';
import { IdentityError, toIdentityError, withRollback } from './errors';
import type { IdentityCluster } from './kube';
import { KubeIdentityCluster } from './kube';
import { buildKubeconfig, clusterEndpoint, endpointWarnings } from './kubeconfig';
import { checkNamespace, checkServiceAccountName, DEFAULT_TOKEN_SECONDS, MIN_TOKEN_SECONDS } from './names';
import { serviceAccountObject } from './objects';
import { preflight } from './preflight';
import { CreatedTracker } from './rollback';
import { StepRunner } from './steps';
import { mintBoundToken, mintLegacyToken } from './token';
import {
  ANNOTATIONS,
  IDENTITY_LABEL,
  noProgress,
  silentLogger,
  type ExportInfo,
  type Logger,
  type ObjectRef,
  type Progress,
  type StepId,
  type TokenInfo,
  type TokenKind,
} from './types';

export interface RotateRequest {
  readonly namespace: string;
  readonly name: string;
  /** Default: the kind the identity has now; a request token lasts durationSeconds (default: what was asked last time, else 30 days). */
  readonly tokenKind?: TokenKind;
  readonly durationSeconds?: number;
  /** Server URL for the new kubeconfig; default: the acting context's. */
  readonly server?: string;
}

export interface RotateDeps {
  readonly kubeconfig: LoadedKubeconfig;
  /** The store the identity was exported to (`pipeline-rbac.io/export-target` tells the CLI which). */
  readonly store: SecretStore;
  readonly logger?: Logger;
  readonly cluster?: IdentityCluster;
  readonly now?: () => Date;
  readonly afterStep?: (step: StepId, created: readonly ObjectRef[]) => void | Promise<void>;
  readonly legacyTokenTimeoutMs?: number;
}

export interface RotateResult {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly token: TokenInfo;
  readonly export: ExportInfo;
  /** The Secret of the old token, deleted (undefined when the identity had none recorded). */
  readonly revokedSecret?: string;
  readonly warnings: readonly string[];
  readonly annotations: Readonly<Record<string, string>>;
}

export async function rotateToken(req: RotateRequest, deps: RotateDeps, progress: Progress = noProgress): Promise<RotateResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const cluster = deps.cluster ?? new KubeIdentityCluster(deps.kubeconfig.kc);
  const redactor = new Redactor();
  const tracker = new CreatedTracker();
  const warnings: string[] = [];
  const { namespace, name } = req;
  const steps = new StepRunner(progress, deps.afterStep, tracker);

  let actor: string;
  let previous: Record<string, string>;
  let kind: TokenKind;
  let uid: string | undefined;
  try {
    checkNamespace(namespace);
    checkServiceAccountName(name);
    steps.enter('preflight', `Reading identity ${namespace}/${name}...`);
    const sa = await cluster.readServiceAccount(namespace, name);
    if (!sa) throw new IdentityError(`ServiceAccount ${namespace}/${name} does not exist.`, 'not-found', 'preflight');
    if (sa.metadata?.labels?.[IDENTITY_LABEL] !== 'true') {
      throw new IdentityError(`ServiceAccount ${namespace}/${name} is not a pipeline identity (no label ${IDENTITY_LABEL}=true).`, 'conflict', 'preflight');
    }
    previous = ourAnnotations(sa.metadata?.annotations);
    uid = sa.metadata?.uid;
    kind = req.tokenKind ?? (previous[ANNOTATIONS.tokenKind] === 'secret' ? 'secret' : 'request');
    const report = await preflight(
      cluster,
      { context: deps.kubeconfig.context, server: req.server || deps.kubeconfig.server, namespace },
      { operation: 'rotate', tokenKind: kind },
    );
    if (!report.ok) {
      const reasons = report.missing.map((m) => `${m.verb} ${m.subresource ? `${m.resource}/${m.subresource}` : m.resource} (to ${m.why})`);
      throw new IdentityError(`${report.user.username} may not rotate tokens in ${namespace}: missing ${reasons.join(', ')}.\n${report.fix ?? ''}`.trimEnd(), 'forbidden', 'preflight', reasons);
    }
    actor = report.user.username;
    await steps.done('preflight');
  } catch (err) {
    throw toIdentityError(err, steps.current, redactor);
  }

  const endpoint = clusterEndpoint(deps.kubeconfig, req.server);
  warnings.push(...endpointWarnings(endpoint));
  let put: Awaited<ReturnType<SecretStore['put']>>;
  let info: TokenInfo;
  try {
    steps.enter('token', 'Requesting a new token...');
    const mintOpts = { namespace, serviceAccount: name, serviceAccountUid: uid, track: (r: ObjectRef) => tracker.add(r), now };
    const minted =
      kind === 'request'
        ? await mintBoundToken(cluster, req.durationSeconds ?? previousDuration(previous) ?? DEFAULT_TOKEN_SECONDS, mintOpts)
        : await mintLegacyToken(cluster, { ...mintOpts, ...(deps.legacyTokenTimeoutMs ? { timeoutMs: deps.legacyTokenTimeoutMs } : {}) });
    redactor.add(minted.token);
    warnings.push(...minted.warnings);
    info = minted.info;
    await steps.done('token');

    steps.enter('kubeconfig', 'Building the kubeconfig...');
    const kubeconfig = buildKubeconfig({ cluster: endpoint, namespace, serviceAccount: name, token: minted.token });
    redactor.add(kubeconfig, true);
    await steps.done('kubeconfig');

    steps.enter('export', `Exporting to ${deps.store.describe()}...`);
    put = await deps.store.put(kubeconfig);
    warnings.push(...put.warnings);
    await steps.done('export');
  } catch (err) {
    const failure = toIdentityError(err, steps.current, redactor);
    logger.error(failure.message);
    const outcome = await tracker.rollback(cluster, logger);
    throw withRollback(
      new IdentityError(`${failure.message} The previous token is still valid.`, failure.kind, failure.step, failure.reasons, undefined, failure.status),
      outcome,
      redactor,
    );
  }

  // From here on the new token is in the store: it is never rolled back.
  const at = now().toISOString();
  const oldSecret = previous[ANNOTATIONS.tokenSecret];
  const annotations: Record<string, string> = {
    ...previous,
    [ANNOTATIONS.tokenKind]: info.kind,
    [ANNOTATIONS.tokenSecret]: info.secretName,
    [ANNOTATIONS.exportedTo]: deps.store.describe(),
    [ANNOTATIONS.lastRotated]: at,
    [ANNOTATIONS.lastRotatedBy]: actor,
  };
  if (info.expiresAt) annotations[ANNOTATIONS.tokenExpires] = info.expiresAt;
  else delete annotations[ANNOTATIONS.tokenExpires];
  if (info.requestedSeconds) annotations[ANNOTATIONS.tokenDuration] = String(info.requestedSeconds);
  else delete annotations[ANNOTATIONS.tokenDuration];
  try {
    steps.enter('annotate', 'Recording the rotation...');
    await cluster.apply(serviceAccountObject(namespace, name, annotations), { force: true });
    await steps.done('annotate');
    if (oldSecret && oldSecret !== info.secretName) {
      steps.enter('revoke-old', `Revoking the old token (deleting Secret ${namespace}/${oldSecret})...`);
      await cluster.delete({ kind: 'Secret', namespace, name: oldSecret });
      await steps.done('revoke-old');
    } else {
      warnings.push('No previous token Secret was recorded on the ServiceAccount, so no old token was revoked.');
    }
  } catch (err) {
    const failure = toIdentityError(err, steps.current, redactor);
    const state =
      steps.current === 'annotate'
        ? `The new token is exported and works, but it was not recorded and the old token (Secret ${namespace}/${oldSecret ?? '?'}) was not revoked; run rotate again.`
        : `The new token is exported and recorded, but the old token is still valid: delete Secret ${namespace}/${oldSecret} (kubectl -n ${namespace} delete secret ${oldSecret}).`;
    logger.error(`${failure.message} ${state}`);
    throw new IdentityError(redactor.scrub(`${failure.message} ${state}`), failure.kind, failure.step, failure.reasons, undefined, failure.status);
  }

  logAudit(logger, {
    action: 'rotate',
    actor,
    identity: `${namespace}/${name}`,
    context: deps.kubeconfig.context,
    server: deps.kubeconfig.server,
    at,
    store: deps.store.describe(),
    details: {
      tokenKind: info.kind,
      ...(info.expiresAt ? { tokenExpires: info.expiresAt } : {}),
      ...(oldSecret ? { revokedSecret: oldSecret } : {}),
    },
  });
  const unique = [...new Set(warnings)];
  for (const w of unique) logger.warn(w);
  return {
    namespace,
    serviceAccount: name,
    token: info,
    export: { store: deps.store.describe(), location: put.location, action: put.action, ...(put.version !== undefined ? { version: put.version } : {}) },
    ...(oldSecret && oldSecret !== info.secretName ? { revokedSecret: oldSecret } : {}),
    warnings: unique,
    annotations,
  };
}

/** The lifetime asked for last time (recorded by create/rotate), if it is a valid TokenRequest lifetime. */
function previousDuration(annotations: Readonly<Record<string, string>>): number | undefined {
  const n = Number(annotations[ANNOTATIONS.tokenDuration]);
  return Number.isSafeInteger(n) && n >= MIN_TOKEN_SECONDS ? n : undefined;
}
