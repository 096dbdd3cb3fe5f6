// "Rotate Token": a new token, recorded on the ServiceAccount, exported to the store the caller chose (the
// user's flag or choice, or this machine's own record, never the ServiceAccount's annotations), then the old
// token revoked (only Secrets that provably are this identity's token are deleted) and checked to be refused.
// The store write is the last step that can fail: until it succeeds, a failure deletes the new Secret and
// restores the annotations, and the old token keeps working; after it, the new token is live and never rolled back.
import { Redactor } from '../stores/redact';
import type { SecretStore } from '../stores/secretStore';
import { auditSubject, exportedAnnotations, logAudit, ourAnnotations } from './audit';
import { IdentityError, toIdentityError, withRollback } from './errors';
import { recordExport, type ExportRecord, type RecordingPlan } from './exportRecords';
import type { IdentityCluster } from './kube';
import { KubeIdentityCluster } from './kube';
import { checkEndpointSecurity, clusterEndpoint, endpointWarnings } from './kubeconfig';
import { checkNamespace, checkServiceAccountName, formatDuration } from './names';
import { rotationLifetime, type LifetimeChoice } from './lifetime';
import { serviceAccountObject } from './objects';
import { preflight } from './preflight';
import { CreatedTracker } from './rollback';
import { StepRunner, type IssueFlowDeps } from './steps';
import { exportInfo, exportKubeconfig, mintKubeconfig, type IssueContext, type TokenSpec } from './issue';
import { apiserverProbe, serviceAccountTokenIn, waitUntilRefused, type OldTokenCheck, type TokenProbe } from './tokenProbe';
import { revokeTokenSecrets, type RevokeOutcome } from './tokenSecrets';
import {
  ANNOTATIONS,
  IDENTITY_LABEL,
  noProgress,
  silentLogger,
  type ExportInfo,
  type Progress,
  type TokenInfo,
  type TokenKind,
} from './types';
import { errorText } from '../engine/text/errorText';

export interface RotateRequest {
  readonly namespace: string;
  readonly name: string;
  /** Default: a request token; it lasts durationSeconds (default: this machine's record of the last create/rotate, else 30 days; at most 365 days). */
  readonly tokenKind?: TokenKind;
  readonly durationSeconds?: number;
  /** Server URL for the new kubeconfig; default: the acting context's. */
  readonly server?: string;
  /** Export an http:// server or a context's insecure-skip-tls-verify anyway (the user opted in). */
  readonly allowInsecureServer?: boolean;
  /** CLI form of the chosen target, written to the export-target annotation as a hint for people (never read back). */
  readonly exportTarget?: string;
}

export interface RotateDeps extends IssueFlowDeps {
  /** Where the new kubeconfig goes: chosen by the user, or this machine's record (never the annotations). */
  readonly store: SecretStore;
  /** This machine's export record: read for the old token Secret's uid, written after the export. */
  readonly records?: RecordingPlan;
  /** How the old token is checked (default: the acting context's API server); `probeTimeoutMs` bounds it (30 s). */
  readonly probe?: TokenProbe;
  readonly probeTimeoutMs?: number;
}

export interface RotateResult {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly token: TokenInfo;
  readonly export: ExportInfo;
  /** The first old token Secret deleted (see revokedSecrets). */
  readonly revokedSecret?: string;
  /** Every old token Secret deleted ("Secret NS/NAME"). */
  readonly revokedSecrets: readonly string[];
  /** Secrets named by the annotation that were left alone, and why. */
  readonly leftAlone: readonly { readonly name: string; readonly reason: string }[];
  /** Whether the old token is now refused by the API server. */
  readonly oldToken: OldTokenCheck;
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

  const { actor, previous, kind, uid, record, lifetime } = await rotatePreflight(req, deps, { cluster, steps, redactor, warnings });

  const endpoint = clusterEndpoint(deps.kubeconfig, req.server);
  warnings.push(...endpointWarnings(endpoint));
  const at = now().toISOString();
  let put: Awaited<ReturnType<SecretStore['put']>>;
  let info: TokenInfo;
  let secretUid: string | undefined;
  const oldTokens: string[] = [];
  let annotated = false;
  let annotations: Record<string, string> = {};
  const issue: IssueContext = { cluster, steps, tracker, redactor, warnings, now, legacyTokenTimeoutMs: deps.legacyTokenTimeoutMs };
  try {
    const token: TokenSpec =
      kind === 'request'
        ? { kind, durationSeconds: lifetime.seconds, message: `Requesting a new token (lifetime ${formatDuration(lifetime.seconds)})...` }
        : { kind, message: 'Requesting a new token...' };
    const { minted, kubeconfig } = await mintKubeconfig(issue, { namespace, name, uid, endpoint }, token);
    info = minted.info;
    secretUid = minted.secretUid;
    // The old kubeconfig, read back where the store allows it, so the old token can be proven dead later.
    const old = serviceAccountTokenIn(await deps.store.readBack?.().catch(() => undefined), namespace, name);
    if (old) {
      redactor.add(old);
      oldTokens.push(old);
    }

    steps.enter('annotate', 'Recording the rotation on the ServiceAccount...');
    annotations = rotatedAnnotations(previous, info, deps.store.describe(), req.exportTarget, at, actor);
    await cluster.apply(serviceAccountObject(namespace, name, annotations), { force: true });
    annotated = true;
    await steps.done('annotate');

    put = await exportKubeconfig(issue, deps.store, kubeconfig);
  } catch (err) {
    const failure = toIdentityError(err, steps.current, redactor);
    logger.error(failure.message);
    const outcome = await tracker.rollback(cluster, logger);
    if (annotated) {
      await cluster.apply(serviceAccountObject(namespace, name, previous), { force: true }).catch((e: unknown) => {
        logger.error(`rollback: could not restore the annotations of ServiceAccount ${namespace}/${name}: ${toIdentityError(e, 'rollback', redactor).message}`);
      });
    }
    throw withRollback(
      new IdentityError(`${failure.message} The store was not changed and the previous token is still valid.`, failure.kind, failure.step, failure.reasons, undefined, failure.status),
      outcome,
      redactor,
    );
  }

  // From here on the new token is in the store: it is never rolled back, and nothing below throws.
  steps.enter('revoke-old', 'Revoking the old token...');
  const revoked = await revokeOld(cluster, namespace, { name, ...(uid ? { uid } : {}) }, previous[ANNOTATIONS.tokenSecret], record, info.secretName, redactor);
  warnings.push(...revokeWarnings(revoked, namespace, put.location));
  if (deps.records) {
    const w = await recordExport(deps.records, secretUid ? { name: info.secretName, uid: secretUid } : undefined, at, info.requestedSeconds);
    if (w) warnings.push(w);
  }
  oldTokens.push(...revoked.tokens);
  const oldToken: OldTokenCheck = !revoked.deleted.length
    ? { state: 'not-checked', reason: 'no old token Secret was revoked' }
    : !oldTokens.length
      ? { state: 'not-checked', reason: `the old kubeconfig could not be read back from ${deps.store.describe()}` }
      : await waitUntilRefused(deps.probe ?? apiserverProbe(deps.kubeconfig), oldTokens, deps.probeTimeoutMs !== undefined ? { timeoutMs: deps.probeTimeoutMs } : {});
  if (oldToken.state === 'still-accepted') warnings.push(`The old token was not refused within ${oldToken.seconds} s: it may still work.`);

  logAudit(logger, {
    ...auditSubject(deps.kubeconfig, actor, namespace, name, at),
    action: 'rotate',
    store: deps.store.describe(),
    details: {
      tokenKind: info.kind,
      ...(info.expiresAt ? { tokenExpires: info.expiresAt } : {}),
      ...(revoked.deleted.length ? { revoked: revoked.deleted.join(', ') } : {}),
    },
  });
  const unique = [...new Set(warnings)];
  for (const w of unique) logger.warn(w);
  const first = revoked.deleted[0]?.replace(`Secret ${namespace}/`, '');
  return {
    namespace,
    serviceAccount: name,
    token: info,
    export: exportInfo(deps.store, put),
    ...(first ? { revokedSecret: first } : {}),
    revokedSecrets: revoked.deleted,
    leftAlone: revoked.refused,
    oldToken,
    warnings: unique,
    annotations,
  };
}

interface RotateStart {
  readonly actor: string;
  readonly previous: Record<string, string>;
  readonly kind: TokenKind;
  readonly uid: string | undefined;
  readonly record: ExportRecord | undefined;
  readonly lifetime: LifetimeChoice;
}

/** The preflight step: the identity exists and is ours, the endpoint is safe, and the caller may rotate. Changes nothing. */
async function rotatePreflight(
  req: RotateRequest,
  deps: RotateDeps,
  { cluster, steps, redactor, warnings }: { cluster: IdentityCluster; steps: StepRunner; redactor: Redactor; warnings: string[] },
): Promise<RotateStart> {
  const { namespace, name } = req;
  try {
    checkNamespace(namespace);
    checkServiceAccountName(name);
    steps.enter('preflight', `Reading identity ${namespace}/${name}...`);
    const sa = await cluster.readServiceAccount(namespace, name);
    if (!sa) throw new IdentityError(`ServiceAccount ${namespace}/${name} does not exist.`, 'not-found', 'preflight');
    if (sa.metadata?.labels?.[IDENTITY_LABEL] !== 'true') {
      throw new IdentityError(`ServiceAccount ${namespace}/${name} is not a pipeline identity (no label ${IDENTITY_LABEL}=true).`, 'conflict', 'preflight');
    }
    const previous = ourAnnotations(sa.metadata?.annotations);
    const uid = sa.metadata?.uid;
    // The token kind is not taken from the annotation (cluster text could ask for a token that never expires).
    const kind: TokenKind = req.tokenKind ?? 'request';
    if (!req.tokenKind && previous[ANNOTATIONS.tokenKind] === 'secret') {
      warnings.push('The identity had a long-lived token Secret; the new token is a TokenRequest token with a lifetime (ask for --token secret to keep the old kind).');
    }
    checkEndpointSecurity(clusterEndpoint(deps.kubeconfig, req.server), req.allowInsecureServer);
    const report = await preflight(
      cluster,
      { context: deps.kubeconfig.context, server: req.server || deps.kubeconfig.server, namespace },
      { operation: 'rotate', tokenKind: kind },
    );
    if (!report.ok) {
      const reasons = report.missing.map((m) => `${m.verb} ${m.subresource ? `${m.resource}/${m.subresource}` : m.resource} (to ${m.why})`);
      throw new IdentityError(`${report.user.username} may not rotate tokens in ${namespace}: missing ${reasons.join(', ')}.\n${report.fix ?? ''}`.trimEnd(), 'forbidden', 'preflight', reasons);
    }
    const actor = report.user.username;
    const record = deps.records ? await deps.records.store.get(deps.records.key).catch((e: unknown) => void warnings.push(`This machine's export record could not be read: ${errorText(e)}.`)) ?? undefined : undefined;
    // The lifetime comes from the caller or this machine's record, bounded; the annotation is only quoted.
    const lifetime = rotationLifetime({ ...(req.durationSeconds !== undefined ? { asked: req.durationSeconds } : {}), ...(record ? { record } : {}), annotations: previous });
    if (kind === 'request') warnings.push(...lifetime.warnings);
    await steps.done('preflight');
    return { actor, previous, kind, uid, record, lifetime };
  } catch (err) {
    throw toIdentityError(err, steps.current, redactor);
  }
}

function rotatedAnnotations(previous: Record<string, string>, info: TokenInfo, storeDescription: string, exportTarget: string | undefined, at: string, actor: string): Record<string, string> {
  return exportedAnnotations({ ...previous, [ANNOTATIONS.lastRotated]: at, [ANNOTATIONS.lastRotatedBy]: actor }, storeDescription, exportTarget, info);
}

async function revokeOld(
  cluster: IdentityCluster,
  namespace: string,
  sa: { name: string; uid?: string },
  claimed: string | undefined,
  record: ExportRecord | undefined,
  exclude: string,
  redactor: Redactor,
): Promise<RevokeOutcome> {
  try {
    return await revokeTokenSecrets(
      cluster,
      { namespace, serviceAccount: sa, ...(claimed ? { claimed } : {}), ...(record?.tokenSecret ? { recorded: record.tokenSecret } : {}), exclude },
      (e) => toIdentityError(e, 'revoke-old', redactor).message,
    );
  } catch (err) {
    return { deleted: [], tokens: [], failed: [toIdentityError(err, 'revoke-old', redactor).message], refused: [] };
  }
}

/** The literal state after the export: what the store holds, and which old token may still work. */
export function revokeWarnings(r: RevokeOutcome, namespace: string, location: string): string[] {
  const out: string[] = [];
  for (const x of r.refused) out.push(`Secret ${namespace}/${x.name}, named by the ServiceAccount's token-secret annotation, was left alone: ${x.reason}.`);
  for (const f of r.failed) out.push(`${location} now holds the new kubeconfig, but an old token Secret could not be deleted, so its token still works: ${f}`);
  if (!r.deleted.length && !r.failed.length) {
    out.push(
      'No old token Secret could be proven to be this identity\'s, so none was deleted: if an older token exists it still works until it expires (revoking the identity ends all its tokens).',
    );
  }
  return out;
}
