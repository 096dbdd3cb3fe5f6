// The one error type the identity flow throws. Its message is for the user: it names the step,
// quotes the apiserver (or store) message, and says what was rolled back. It has been scrubbed of
// the token and kubeconfig, and carries no `cause` (library errors hold request objects).
import { LiveError } from '../live/liveError';
import { Redactor } from '../stores/redact';
import { StoreError } from '../stores/secretStore';
import { KubeconfigBuildError } from './kubeconfig';
import { InvalidInputError } from './names';
import type { RollbackOutcome } from './rollback';
import { RoleCheckUnavailableError } from './roleCheck';
import type { StepId } from './types';
import { errorText } from '../engine/text/errorText';

export type IdentityErrorKind =
  /** Bad names, durations, Role file shape: the user's input (CLI exit 2). */
  | 'invalid'
  /** The acting user lacks permissions the flow needs (preflight). */
  | 'forbidden'
  /** The Role grants what the acting user does not hold, or has error findings. */
  | 'role-check'
  /** An object of that name exists and is not this identity's. */
  | 'conflict'
  | 'not-found'
  /** The apiserver failed or refused a call. */
  | 'cluster'
  /** The secret store failed. */
  | 'export'
  /** The cluster could not be reached (network, TLS): an I/O error, CLI exit 2 like `check --live`. */
  | 'unreachable'
  | 'timeout';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    message: string,
    readonly kind: IdentityErrorKind,
    readonly step: StepId,
    /** Itemised reasons (missing permissions, blocking findings), already in `message` too. */
    readonly reasons: readonly string[] = [],
    readonly rollback?: RollbackOutcome,
    /** HTTP status from the apiserver or store, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

const STEP_TEXT: Record<StepId, string> = {
  preflight: 'checking your permissions',
  'check-role': 'checking the Role',
  'validate-export': 'checking the export target',
  'dry-run': "the API server's dry run of the ServiceAccount and Role",
  'service-account': 'applying the ServiceAccount',
  role: 'applying the Role',
  'role-binding': 'applying the RoleBinding',
  token: 'creating the token',
  kubeconfig: 'building the kubeconfig',
  export: 'exporting the kubeconfig',
  annotate: 'recording the audit annotations',
  'revoke-old': 'revoking the previous token',
  delete: 'deleting',
  rollback: 'rolling back',
};

/** Any error at `step` as an IdentityError, scrubbed by `redactor`. */
export function toIdentityError(err: unknown, step: StepId, redactor: Redactor): IdentityError {
  if (err instanceof IdentityError) {
    const message = redactor.scrub(err.message);
    return message === err.message ? err : new IdentityError(message, err.kind, err.step, err.reasons.map((r) => redactor.scrub(r)), err.rollback, err.status);
  }
  const raw = errorText(err);
  const message = redactor.scrub(`${STEP_TEXT[step]} failed: ${raw}`);
  if (err instanceof InvalidInputError) return new IdentityError(redactor.scrub(raw), 'invalid', step);
  if (err instanceof RoleCheckUnavailableError) return new IdentityError(message, 'role-check', step);
  if (err instanceof KubeconfigBuildError) return new IdentityError(message, 'invalid', step);
  if (err instanceof StoreError) return new IdentityError(message, err.code === 'invalid' ? 'invalid' : 'export', step, [], undefined, err.status);
  if (err instanceof LiveError) {
    const kind: IdentityErrorKind =
      err.kind === 'forbidden' || err.kind === 'unauthorized' ? 'forbidden'
      : err.kind === 'not-found' ? 'not-found'
      : err.kind === 'conflict' ? 'conflict'
      : err.kind === 'timeout' ? 'timeout'
      : err.kind === 'unreachable' ? 'unreachable'
      : 'cluster';
    return new IdentityError(message, kind, step, [], undefined, err.status);
  }
  if ((err as { name?: string } | null)?.name === 'TokenTimeoutError') return new IdentityError(message, 'timeout', step);
  return new IdentityError(message, 'cluster', step);
}

/** Appends what the rollback did to a failure message. */
export function withRollback(e: IdentityError, outcome: RollbackOutcome, redactor: Redactor): IdentityError {
  const parts = [e.message];
  if (outcome.removed.length) parts.push(`Rolled back: ${outcome.removed.join(', ')}.`);
  else parts.push('Nothing had been created.');
  if (outcome.leftBehind.length) {
    parts.push(
      `Could not delete: ${outcome.leftBehind.map((l) => `${l.what} (${l.reason})${l.command ? `; run: ${l.command}` : ''}`).join('; ')}.`,
    );
  }
  return new IdentityError(redactor.scrub(parts.join(' ')), e.kind, e.step, e.reasons, outcome, e.status);
}
