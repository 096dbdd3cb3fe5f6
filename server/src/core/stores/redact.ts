// Redaction guard: every StoreError leaves a store through `Redactor.guard`, which scrubs any known
// secret string (credential token, the value, its base64 form, its long opaque pieces such as the
// bearer token inside a kubeconfig) from the message. Servers may echo request data in error
// bodies; this keeps such echoes out of logs and UI.
import { StoreError, type StoreErrorCode } from './secretStore';
import { errorText } from '../engine/text/errorText';

const MASK = '[REDACTED]';
/** Shorter strings are not scrubbed: they would destroy ordinary words in messages. */
const MIN_SECRET_LENGTH = 6;
/** Whitespace-separated pieces of a value at least this long are scrubbed on their own. */
const MIN_PIECE_LENGTH = 16;
/** Error messages are capped (servers can return whole pages). */
const MAX_MESSAGE = 600;

/** The strings derived from a secret value that must not appear anywhere. */
export function secretVariants(value: string): string[] {
  // As sent, as base64, and as a JSON string body (servers echo JSON-escaped text).
  const out = [value, Buffer.from(value, 'utf8').toString('base64'), JSON.stringify(value).slice(1, -1)];
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  const pieces = value.split(/\s+/).flatMap((p) => [p, p.replace(/^["']|["']$/g, '')]);
  for (const s of [...lines, ...pieces]) if (s.length >= MIN_PIECE_LENGTH) out.push(s);
  try {
    out.push(encodeURIComponent(value));
  } catch {
    // lone surrogates: nothing to add
  }
  return out;
}

export class Redactor {
  // ES private: util.inspect of a Redactor (or of an object holding one) shows no secrets.
  readonly #secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Adds a credential or value (with its variants for values). */
  add(secret: string | undefined, variants = false): this {
    if (!secret) return this;
    for (const s of variants ? secretVariants(secret) : [secret, encodeURIComponent(secret)]) {
      if (s.length >= MIN_SECRET_LENGTH) this.#secrets.add(s);
    }
    return this;
  }

  scrub(text: string): string {
    // Longest first, so a piece inside a longer secret does not leave the rest behind.
    const sorted = [...this.#secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of sorted) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }

  /**
   * A copy of the error with a scrubbed message (same code and status). Whitespace is collapsed and
   * the length capped only after scrubbing, so neither can break a secret into unrecognisable parts.
   */
  scrubError(e: StoreError): StoreError {
    let message = this.scrub(e.message).replace(/\s+/g, ' ').trim();
    if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}...`;
    return message === e.message ? e : new StoreError(e.code, message, e.status);
  }

  /**
   * Runs `fn` and turns anything it throws into a scrubbed StoreError: StoreErrors keep their code,
   * anything else goes through `classify` (which must not copy library error objects wholesale).
   */
  async guard<T>(fn: () => Promise<T>, classify: (e: unknown) => StoreError = unknownError): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.scrubError(e instanceof StoreError ? e : classify(e));
    }
  }
}

/** Fallback classification: a short message naming the error kind, never its properties. */
export function unknownError(e: unknown, code: StoreErrorCode = 'network'): StoreError {
  const message = errorText(e);
  return new StoreError(code, `Request failed: ${message}`);
}
