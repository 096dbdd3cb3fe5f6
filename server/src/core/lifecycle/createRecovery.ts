/**
 * What a create run undoes: the previous token Secrets of a re-run (one token live at a time), and, when a step
 * fails, everything this run created.
 */
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { Redactor } from '../stores/redact';
import { auditSubject, logAudit, ourAnnotations } from './audit';
import type { IdentityDeps } from './create';
import { IdentityError, toIdentityError, withRollback } from './errors';
import type { IdentityCluster } from './kube';
import { serviceAccountObject } from './objects';
import type { CreatedTracker } from './rollback';
import type { StepRunner } from './steps';
import { revokeTokenSecrets } from './tokenSecrets';
import type { Logger, Progress } from './types';

/** A re-run's previous token Secrets deleted; what could not be deleted or was left alone becomes a warning. */
export async function revokePrevious(
  cluster: IdentityCluster,
  which: Parameters<typeof revokeTokenSecrets>[1],
  { redactor, logger, warnings }: { redactor: Redactor; logger: Logger; warnings: string[] },
): Promise<void> {
  const { namespace } = which;
  const old = await revokeTokenSecrets(cluster, which, (e) => toIdentityError(e, 'revoke-old', redactor).message).catch((e: unknown) => ({
    deleted: [],
    tokens: [],
    failed: [toIdentityError(e, 'revoke-old', redactor).message],
    refused: [],
  }));
  for (const d of old.deleted) logger.info(`Revoked the previous token (deleted ${d}).`);
  for (const f of old.failed) warnings.push(`A previous token Secret could not be deleted, so its token still works: ${f}`);
  for (const r of old.refused) warnings.push(`Secret ${namespace}/${r.name}, named by the ServiceAccount's token-secret annotation, was left alone: ${r.reason}.`);
}

/**
 * After a failed step: undo what this run created, give an existing ServiceAccount back its annotations, and say so
 * when the store's previous value was replaced (it cannot be restored). Returns the error to throw.
 */
export async function rollbackCreate(
  err: unknown,
  ctx: {
    namespace: string;
    name: string;
    deps: Pick<IdentityDeps, 'store' | 'kubeconfig'>;
    cluster: IdentityCluster;
    tracker: CreatedTracker;
    steps: StepRunner;
    progress: Progress;
    redactor: Redactor;
    logger: Logger;
    now: () => Date;
    actor: string;
    annotatedExisting: V1ServiceAccount | undefined;
    stored: 'created' | 'updated' | undefined;
  },
): Promise<IdentityError> {
  const { namespace, name, deps, cluster, tracker, steps, progress, redactor, logger, now, actor, annotatedExisting, stored } = ctx;
  let failure = toIdentityError(err, steps.current, redactor);
  logger.error(failure.message);
  progress.step('rollback', 'Rolling back what this run created...');
  const outcome = await tracker.rollback(cluster, logger);
  if (annotatedExisting) {
    // The ServiceAccount existed before this run: give it back its previous annotations.
    await cluster.apply(serviceAccountObject(namespace, name, ourAnnotations(annotatedExisting.metadata?.annotations)), { force: true }).catch((e: unknown) => {
      logger.error(`rollback: could not restore the annotations of ServiceAccount ${namespace}/${name}: ${toIdentityError(e, 'rollback', redactor).message}`);
    });
  }
  if (stored === 'updated') {
    // A replaced secret cannot be restored (stores keep no previous value we could read back).
    failure = new IdentityError(
      `${failure.message} ${deps.store.describe()} now holds the kubeconfig of this run, whose token the rollback revoked; the kubeconfig it held before was replaced and is gone. Run create again.`,
      failure.kind,
      failure.step,
      failure.reasons,
      undefined,
      failure.status,
    );
  }
  logAudit(logger, {
    ...auditSubject(deps.kubeconfig, actor, namespace, name, now().toISOString()),
    action: 'rollback',
    details: { failedStep: steps.current, removed: outcome.removed.join(', ') || 'nothing' },
  });
  return withRollback(failure, outcome, redactor);
}
