// Shared HTTP error wording and transport checks for the network stores.
import { StoreError } from './secretStore';
import { errorText } from '../engine/text/errorText';

export interface StatusHints {
  /** "GitHub", "GitLab at gitlab.example.com", "Vault" ... */
  readonly service: string;
  /** What was being attempted, as a verb phrase: "write secret KUBECONFIG of acme/app". */
  readonly action: string;
  /** Full sentence for a 404, naming what is missing or invisible to the token. */
  readonly notFound: string;
  /** Which permission the token needs, appended to 401/403 messages. */
  readonly permission?: string;
  /** The store's redactor, applied to server text before anything else touches it. */
  readonly scrub?: (text: string) => string;
}

/**
 * Blanks long opaque runs (base64, base64url, hex: tokens, CA data, sealed values) in server text.
 * This catches echoes the redactor cannot recognise, e.g. a token the server cut short: runs of 32+
 * such characters, or 16+ that mix letters and digits (plain words and paths rarely do).
 */
export function blankOpaque(text: string): string {
  return text.replace(/[A-Za-z0-9+/_-]{16,}={0,2}/g, (run) =>
    run.length >= 32 || (/[0-9]/.test(run) && /[A-Za-z]/.test(run)) ? '[REDACTED]' : run,
  );
}

/** Server text after the store's redactor and blankOpaque; whitespace and length are tidied later, after all scrubbing (Redactor.scrubError). */
function quoteServer(message: string | undefined, scrub: (text: string) => string = (t) => t): string {
  const m = blankOpaque(scrub(message ?? '')).trim();
  return m ? `: ${m}` : '';
}

/** Maps an HTTP status to a StoreError with a message a user can act on. */
export function errorForStatus(status: number, serverMessage: string | undefined, h: StatusHints): StoreError {
  const quoted = quoteServer(serverMessage, h.scrub);
  const need = h.permission ? ` ${h.permission}` : '';
  if (status === 401) {
    return new StoreError('auth', `${h.service} rejected the token (401 Unauthorized${quoted}): it is wrong, expired or revoked.${need}`, status);
  }
  if (status === 403) {
    return new StoreError('forbidden', `${h.service} refused to ${h.action} (403 Forbidden${quoted}).${need}`, status);
  }
  if (status === 404) return new StoreError('not-found', `${h.notFound} (404${quoted}).`, status);
  if (status === 409) return new StoreError('conflict', `${h.service} reported a conflict while trying to ${h.action} (409${quoted}).`, status);
  if (status === 400 || status === 422) {
    return new StoreError('invalid', `${h.service} rejected the request to ${h.action} (${status}${quoted}).`, status);
  }
  if (status === 429) {
    return new StoreError('server', `${h.service} is rate limiting this token (429${quoted}); try again later.`, status);
  }
  if (status >= 500) {
    return new StoreError('server', `${h.service} failed with a server error while trying to ${h.action} (${status}${quoted}); try again later.`, status);
  }
  return new StoreError('server', `${h.service} answered ${status} while trying to ${h.action}${quoted}.`, status);
}

export function networkError(h: Pick<StatusHints, 'service' | 'action'>, e: unknown): StoreError {
  // Only the innermost message ("connect ECONNREFUSED ..." rather than "fetch failed"): network
  // errors from fetch/undici carry the request in their properties.
  let inner: unknown = e;
  for (let i = 0; i < 5 && inner instanceof Error && inner.cause instanceof Error; i++) inner = inner.cause;
  const message = errorText(inner);
  const timedOut = inner instanceof Error && (inner.name === 'TimeoutError' || inner.name === 'AbortError');
  return new StoreError('network', `Could not reach ${h.service} to ${h.action}: ${timedOut ? 'the request timed out' : message}.`);
}

/** host[:port] of a URL for messages; the raw text when it does not parse (describe() must not throw). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Parses a server URL and refuses plain http to anything but loopback: the token and the kubeconfig
 * would cross the network unencrypted. Userinfo in the URL is refused because it would end up in
 * messages.
 */
export function checkServerUrl(raw: string, what: string, allowInsecureHttp = false): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StoreError('invalid', `${what} "${raw}" is not a URL (expected https://host[:port]).`);
  }
  if (url.username || url.password) {
    throw new StoreError('invalid', `${what} must not contain a user name or password; pass the token separately.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new StoreError('invalid', `${what} "${url.origin}" must use https.`);
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowInsecureHttp) {
    throw new StoreError(
      'invalid',
      `${what} "${url.origin}" uses plain http: the token and the kubeconfig would cross the network unencrypted. Use https.`,
    );
  }
  return url;
}

/** Origin of a redirect's Location (resolved against the request URL) for messages: never its path, query or user info. */
function redirectOrigin(location: string | null, requestUrl: string): string {
  if (!location) return 'no Location';
  try {
    const u = new URL(location, requestUrl);
    return u.origin !== 'null' ? u.origin : `a ${u.protocol} URL`;
  } catch {
    return 'an unparsable Location';
  }
}

/**
 * Refuses a redirect. Following one re-sends the token header (and, on 307/308, the kubeconfig body) to
 * wherever the server points, plain http included; a store URL must name the server that answers.
 */
export function redirectRefused(service: string, status: number, location: string | null, requestUrl: string): StoreError {
  return new StoreError(
    'invalid',
    `${service} answered ${status} with a redirect to ${redirectOrigin(location, requestUrl)}; not followed, because that would send the token there. Set the store URL to the server that answers directly.`,
    status,
  );
}

/** fetch that never follows a redirect: a 3xx (other than 304) becomes redirectRefused. */
export async function fetchNoRedirect(service: string, input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, { ...init, redirect: 'manual' });
  if (res.status >= 300 && res.status < 400 && res.status !== 304) {
    await res.body?.cancel().catch(() => undefined);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    throw redirectRefused(service, res.status, res.headers.get('location'), url);
  }
  return res;
}
