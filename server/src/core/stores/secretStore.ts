// The one interface every kubeconfig export target implements (GitHub, GitLab, Vault, file,
// VS Code SecretStorage). No `vscode` import: the extension adapts its SecretStorage to
// `SecretStorageBackend` (secretStorage.ts) and the CLI uses the same stores.

export type StoreKind = 'github' | 'gitlab' | 'vault' | 'file' | 'vscode';

/** What a failed store operation means for the user (drives the hint, not the exit code). */
export type StoreErrorCode = 'auth' | 'forbidden' | 'not-found' | 'invalid' | 'conflict' | 'server' | 'network';

/**
 * The only error type stores throw. Its message is written for the user and has been through the
 * redaction guard (redact.ts), so it never holds the secret value or the credential token.
 * It deliberately carries no `cause`: library errors keep request objects (headers, bodies) that
 * `util.inspect` would print.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** HTTP status of the response that caused it, when there was one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PutResult {
  /** 'created' when the store had no such secret before, 'updated' when it was replaced. */
  readonly action: 'created' | 'updated';
  /** Where the value now lives, for the summary and the audit record (never the value). */
  readonly location: string;
  /** Version number for versioned stores (Vault KV v2). */
  readonly version?: number;
  /** Things the user should know (plain-text file, unmasked decoded copy, ...). */
  readonly warnings: readonly string[];
}

export interface SecretStore {
  readonly kind: StoreKind;
  /** Where the secret goes, e.g. "GitHub Actions secret KUBECONFIG of acme/app (environment prod)". Never the value. */
  describe(): string;
  /**
   * Checks the target's names and the value against the store's rules (name syntax, size, masking)
   * and throws StoreError('invalid') before any request. `put` calls it too.
   */
  validate(value: string): void;
  /** Stores the value, creating or replacing the secret. */
  put(value: string): Promise<PutResult>;
  /** Removes the secret; succeeds when it is already gone. */
  delete(): Promise<void>;
  /**
   * The stored value, for stores that can give it back (a file, SecretStorage); absent for write-only stores.
   * Used only to check that a revoked token is refused; never shown.
   */
  readBack?(): Promise<string | undefined>;
  /** Whether the secret currently exists (without reading its value). */
  exists?(): Promise<boolean>;
  /** A standing warning about this kind of store (e.g. plain-text file), shown before export. */
  warning?(): string | undefined;
}

/** Rejects values no store accepts; stores add their own rules on top. */
export function checkCommonValue(value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new StoreError('invalid', 'The secret value is empty.');
}
