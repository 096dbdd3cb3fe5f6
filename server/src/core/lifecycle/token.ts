// Tokens for the pipeline's ServiceAccount. Preferred: a TokenRequest bound to a Secret of ours, so
// deleting that Secret revokes the token (and the server tells us the real expiry). Weaker: the
// long-lived kubernetes.io/service-account-token Secret of the seeds, which never expires.
import type { IdentityCluster } from './kube';
import { formatDuration } from './names';
import { boundSecretObject, legacyTokenSecretObject, tokenSecretName } from './objects';
import type { ObjectRef, TokenInfo } from './types';

export interface MintedToken {
  /** The bearer token: kept in memory, written only into the kubeconfig for the chosen store. */
  readonly token: string;
  readonly info: TokenInfo;
  readonly secret: ObjectRef;
  /** The Secret's uid, recorded on this machine so a later rotate/revoke can prove the Secret is ours. */
  readonly secretUid?: string;
  /** Messages for the user (shortened lifetime, weaker token kind). */
  readonly warnings: readonly string[];
}

/** Tolerance before calling a lifetime "shortened" (clock rounding, request latency). */
const SHORTENED_SLACK_SECONDS = 60;

/**
 * Seconds the server actually granted: `exp - iat` of the JWT when readable (server clock on both
 * sides), else the expiration timestamp minus the local time the request was sent.
 */
export function grantedSeconds(token: string, expirationTimestamp: Date, requestedAt: Date): number {
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown };
      if (typeof claims.exp === 'number' && typeof claims.iat === 'number') return claims.exp - claims.iat;
    } catch {
      // not a JWT we can read: fall back to the timestamps
    }
  }
  return Math.round((expirationTimestamp.getTime() - requestedAt.getTime()) / 1000);
}

export function shortenedWarning(requested: number, granted: number, expiresAt: string): string | undefined {
  if (granted >= requested - SHORTENED_SLACK_SECONDS) return undefined;
  return (
    `The API server shortened the token lifetime from ${formatDuration(requested)} to ${formatDuration(granted)} ` +
    `(expires ${expiresAt}; likely --service-account-max-token-expiration). Rotate before then.`
  );
}

export interface MintOptions {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The ServiceAccount's uid: the bound Secret is owned by it (garbage-collected with it). */
  readonly serviceAccountUid?: string;
  /** Called as soon as an object exists, so a failure later can delete it. */
  readonly track: (ref: ObjectRef) => void;
  readonly now?: () => Date;
}

/** Creates the Secret, then a TokenRequest bound to it (boundObjectRef kind Secret, name, uid). */
export async function mintBoundToken(cluster: IdentityCluster, durationSeconds: number, o: MintOptions): Promise<MintedToken> {
  const now = o.now ?? (() => new Date());
  const name = tokenSecretName(o.serviceAccount);
  const created = await cluster.createSecret(o.namespace, boundSecretObject(o.namespace, o.serviceAccount, name, o.serviceAccountUid));
  const secret: ObjectRef = { kind: 'Secret', namespace: o.namespace, name };
  o.track(secret);
  const uid = created.metadata?.uid;
  if (!uid) throw new Error(`the API server returned Secret ${o.namespace}/${name} without a uid`);
  const requestedAt = now();
  const issued = await cluster.requestToken(o.namespace, o.serviceAccount, { expirationSeconds: durationSeconds, boundSecret: { name, uid } });
  const expiresAt = issued.expirationTimestamp.toISOString();
  const granted = grantedSeconds(issued.token, issued.expirationTimestamp, requestedAt);
  const warning = shortenedWarning(durationSeconds, granted, expiresAt);
  return {
    token: issued.token,
    secret,
    secretUid: uid,
    info: { kind: 'request', secretName: name, expiresAt, requestedSeconds: durationSeconds, grantedSeconds: granted, shortened: warning !== undefined },
    warnings: warning ? [warning] : [],
  };
}

export const LEGACY_TOKEN_WARNING =
  'A kubernetes.io/service-account-token Secret holds a token that never expires; prefer --token request (a TokenRequest with a lifetime, rotated by `identity rotate`).';

export class TokenTimeoutError extends Error {
  override readonly name = 'TokenTimeoutError';
}

export interface LegacyOptions extends MintOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/** Creates a service-account-token Secret and waits for the tokens controller to fill it. */
export async function mintLegacyToken(cluster: IdentityCluster, o: LegacyOptions): Promise<MintedToken> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const intervalMs = o.intervalMs ?? 250;
  const name = tokenSecretName(o.serviceAccount);
  const created = await cluster.createSecret(o.namespace, legacyTokenSecretObject(o.namespace, o.serviceAccount, name, o.serviceAccountUid));
  const secretUid = created.metadata?.uid;
  const secret: ObjectRef = { kind: 'Secret', namespace: o.namespace, name };
  o.track(secret);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await cluster.readSecret(o.namespace, name);
    const data = s?.data?.token;
    if (data) {
      const token = Buffer.from(data, 'base64').toString('utf8');
      return { token, secret, ...(secretUid ? { secretUid } : {}), info: { kind: 'secret', secretName: name, shortened: false }, warnings: [LEGACY_TOKEN_WARNING] };
    }
    if (Date.now() >= deadline) {
      throw new TokenTimeoutError(
        `the tokens controller did not fill Secret ${o.namespace}/${name} within ${Math.round(timeoutMs / 1000)}s ` +
          '(is kube-controller-manager running its serviceaccount-token controller?); use --token request instead',
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
