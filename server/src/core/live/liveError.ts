/** A failed call to the cluster, classified so the UI can say why in one sentence. */
import { errorText } from '../engine/text/errorText';
export type LiveErrorKind = 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'timeout' | 'other';

/** Marks a LiveError across copies of this module: the language server's cluster bundle has its own (clusterLoader.ts). */
const BRAND = Symbol.for('pipeline-rbac.LiveError');

export class LiveError extends Error {
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as { [BRAND]?: unknown })[BRAND] === true;
  }

  constructor(
    message: string,
    readonly kind: LiveErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LiveError';
  }
}

interface ApiExceptionLike {
  code: number;
  body: unknown;
}

function isApiException(err: unknown): err is ApiExceptionLike {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number' && 'body' in err;
}

/** The apiserver's own message (Status.message) when there is one: it is what users search for. */
export function statusMessage(body: unknown): string | undefined {
  let b: unknown = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      return body.length < 500 ? body : undefined;
    }
  }
  if (typeof b === 'object' && b !== null && typeof (b as { message?: unknown }).message === 'string') {
    return (b as { message: string }).message;
  }
  return undefined;
}

/** Turns whatever the client library threw into a LiveError; `what` names the operation ("reading your rules in team-a"). */
export function toLiveError(err: unknown, what: string): LiveError {
  if (err instanceof LiveError) return err;
  if (isApiException(err)) {
    const msg = statusMessage(err.body) ?? `HTTP ${err.code}`;
    const kind: LiveErrorKind =
      err.code === 401 ? 'unauthorized'
      : err.code === 403 ? 'forbidden'
      : err.code === 404 ? 'not-found'
      : err.code === 409 ? 'conflict'
      : err.code === 422 || err.code === 400 ? 'invalid'
      : 'other';
    const prefix = kind === 'unauthorized' ? 'the cluster rejected the credentials (expired or revoked?)' : `${what} failed`;
    return new LiveError(`${prefix}: ${msg}`, kind, err.code);
  }
  const code = (err as { code?: string; cause?: { code?: string } } | null)?.code ?? (err as { cause?: { code?: string } } | null)?.cause?.code;
  if (code && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|EAI_AGAIN|ETIMEDOUT|CERT|SELF_SIGNED/.test(code)) {
    return new LiveError(`${what} failed: cluster unreachable (${code})`, 'unreachable');
  }
  const text = errorText(err);
  return new LiveError(`${what} failed: ${text.split('\n')[0]}`, /ECONNREFUSED|ENOTFOUND|socket hang up|fetch failed/.test(text) ? 'unreachable' : 'other');
}

/** Rejects after ms with a timeout LiveError; the underlying call is abandoned, not cancelled. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LiveError(`${what} timed out after ${ms} ms`, 'timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
