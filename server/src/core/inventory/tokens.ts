/**
 * Token health of a ServiceAccount from metadata only: the token Secrets bound to it (legacy
 * `kubernetes.io/service-account-token` Secrets, or the Secret a TokenRequest token is bound to) and the annotations the
 * identity flow writes. Pure: `now` comes in.
 */
import { ANNOTATION, LEGACY_TOKEN_LAST_USED_LABEL, OWNER_LABEL, SA_NAME_ANNOTATION, tokenKindFromAnnotation } from './labels';
import type { Fact, Meta, TokenInfo, TokenSecretMeta } from './types';

const DAY = 86_400;
/** A token that expires within this many seconds is "expiring soon". */
export const EXPIRING_SOON_SECONDS = 7 * DAY;
/** A legacy token not used (or never used) for this long is "unused". */
export const UNUSED_SECONDS = 30 * DAY;

/** The ServiceAccount (name) a token Secret belongs to, or undefined when it names none. */
export function tokenSecretOwner(secret: TokenSecretMeta): string | undefined {
  const m = secret.metadata;
  // The tokens controller goes by the annotation; our label names the same ServiceAccount on Secrets we made.
  return m.annotations?.[SA_NAME_ANNOTATION] || m.labels?.[OWNER_LABEL] || undefined;
}

function seconds(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

function withExpiry(info: TokenInfo, expiresAt: string | undefined, nowS: number): void {
  const exp = seconds(expiresAt);
  if (exp === undefined || !expiresAt) return;
  info.expiresAt = expiresAt;
  info.expiresInSeconds = exp - nowS;
  info.expired = info.expiresInSeconds <= 0;
  info.expiringSoon = !info.expired && info.expiresInSeconds < EXPIRING_SOON_SECONDS;
}

function withAge(info: TokenInfo, createdAt: string | undefined, nowS: number): void {
  const c = seconds(createdAt);
  if (c === undefined || !createdAt) return;
  info.createdAt = createdAt;
  info.ageSeconds = Math.max(0, nowS - c);
}

/**
 * The tokens of one ServiceAccount. `secrets` are the token Secrets bound to it; when none is known (none exist, or
 * Secrets could not be listed) and its annotations describe a token, that token is reported from the annotations.
 */
export function tokenStates(sa: Meta, secrets: readonly TokenSecretMeta[], now: Date): TokenInfo[] {
  const nowS = Math.floor(now.getTime() / 1000);
  const ann = sa.annotations ?? {};
  const saExpires = ann[ANNOTATION.tokenExpires];
  const currentSecret = ann[ANNOTATION.tokenSecret];
  const out: TokenInfo[] = [];
  // Newest bound Secret first: the ServiceAccount's token-expires annotation describes the newest token.
  const sorted = [...secrets].sort((a, b) => (seconds(b.metadata.creationTimestamp) ?? 0) - (seconds(a.metadata.creationTimestamp) ?? 0));
  let newestBound = true;
  for (const s of sorted) {
    const m = s.metadata;
    const kind = s.source === 'legacy-type' ? 'legacy-secret' : (tokenKindFromAnnotation(m.annotations?.[ANNOTATION.tokenKind]) ?? 'token-request');
    const info: TokenInfo = { kind, source: 'secret', secretName: m.name, expired: false, expiringSoon: false, unused: false };
    withAge(info, m.creationTimestamp, nowS);
    if (kind === 'token-request') {
      // The ServiceAccount's token-expires describes the token bound to its token-secret (else the newest one).
      const isCurrent = currentSecret ? currentSecret === m.name : newestBound;
      withExpiry(info, m.annotations?.[ANNOTATION.tokenExpires] ?? (isCurrent ? saExpires : undefined), nowS);
      newestBound = false;
    } else {
      const lastUsed = m.labels?.[LEGACY_TOKEN_LAST_USED_LABEL];
      const used = seconds(lastUsed);
      if (lastUsed && used !== undefined) {
        info.lastUsed = lastUsed;
        info.lastUsedSecondsAgo = Math.max(0, nowS - used);
        info.unused = info.lastUsedSecondsAgo > UNUSED_SECONDS;
      } else {
        // Never used: unused once it is older than the threshold.
        info.unused = (info.ageSeconds ?? 0) > UNUSED_SECONDS;
      }
    }
    out.push(info);
  }
  if (out.length === 0) {
    const kind = tokenKindFromAnnotation(ann[ANNOTATION.tokenKind]) ?? (saExpires ? 'token-request' : undefined);
    if (kind) {
      const info: TokenInfo = { kind, source: 'annotation', expired: false, expiringSoon: false, unused: false };
      withAge(info, ann[ANNOTATION.lastRotated] ?? ann[ANNOTATION.createdAt], nowS);
      withExpiry(info, saExpires, nowS);
      out.push(info);
    }
  }
  return out;
}

/** "3d", "5h", "12m", "40s": short durations for tree labels and text output. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.abs(Math.round(totalSeconds));
  if (s >= DAY) {
    // Hours still matter for a token that expires within the week.
    const d = Math.floor(s / DAY);
    const h = Math.floor((s % DAY) / 3600);
    return d < 7 && h > 0 ? `${d}d ${h}h` : `${d}d`;
  }
  if (s >= 3600) return `${Math.floor(s / 3600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

/** One-line description of a token, e.g. "TokenRequest token, expires in 5d (Secret ci-token)". */
export function describeToken(t: TokenInfo): string {
  const parts: string[] = [t.kind === 'token-request' ? 'TokenRequest token' : 'legacy token Secret'];
  if (t.secretName) parts[0] += ` ${t.secretName}`;
  if (t.ageSeconds !== undefined) parts.push(`age ${formatDuration(t.ageSeconds)}`);
  if (t.expiresInSeconds !== undefined) parts.push(t.expired ? `expired ${formatDuration(t.expiresInSeconds)} ago` : `expires in ${formatDuration(t.expiresInSeconds)}`);
  else if (t.kind === 'legacy-secret') parts.push('never expires');
  if (t.kind === 'legacy-secret') parts.push(t.lastUsedSecondsAgo !== undefined ? `last used ${t.lastUsed}` : 'never used');
  if (t.source === 'annotation') parts.push('from annotations');
  return parts.join(', ');
}

/** Health facts of an identity's tokens, worst first. */
export function tokenFacts(tokens: readonly TokenInfo[]): Fact[] {
  const facts: Fact[] = [];
  for (const t of tokens) {
    const name = t.secretName ? ` (${t.secretName})` : '';
    if (t.expired) facts.push({ id: 'token-expired', severity: 'error', message: `token${name} expired ${formatDuration(t.expiresInSeconds ?? 0)} ago: the pipeline will get 401 Unauthorized; rotate it` });
    else if (t.expiringSoon) facts.push({ id: 'token-expiring-soon', severity: 'warning', message: `token${name} expires in ${formatDuration(t.expiresInSeconds ?? 0)}; rotate it before it does` });
    if (t.unused) {
      const since = t.lastUsedSecondsAgo !== undefined ? `not used for ${formatDuration(t.lastUsedSecondsAgo)}` : `never used in ${formatDuration(t.ageSeconds ?? 0)}`;
      facts.push({ id: 'token-unused', severity: 'warning', message: `legacy token${name} ${since}: revoke it if no pipeline needs it` });
    }
    if (t.kind === 'legacy-secret') facts.push({ id: 'token-legacy', severity: 'information', message: `legacy token Secret${name} never expires; a TokenRequest token bound to a Secret expires and can be revoked` });
  }
  return facts;
}
