// HashiCorp Vault / OpenBao KV v2 with plain fetch. put() reads the current version and writes
// with check-and-set (`options.cas`), so a concurrent writer is detected instead of overwritten;
// other keys at the same path are kept (KV v2 writes replace the whole map). delete() removes our
// key, and the whole secret (all versions, via metadata) only when no other keys remain.
import { checkCommonValue, StoreError, type PutResult, type SecretStore } from './secretStore';
import { Redactor } from './redact';
import { checkServerUrl, errorForStatus, fetchNoRedirect, hostOf, networkError, type StatusHints } from './http';
import type { VaultTarget } from './target';

export interface VaultStoreOptions {
  readonly token: string;
  /** VAULT_ADDR, e.g. https://vault.example.com:8200. */
  readonly address: string;
  /** Vault Enterprise / HCP namespace (X-Vault-Namespace). */
  readonly namespace?: string;
  /** Key inside the secret's data; default "kubeconfig". */
  readonly field?: string;
  readonly allowInsecureHttp?: boolean;
  readonly timeoutMs?: number;
}

interface Current {
  /** Version to pass as cas: 0 when the secret has never been written. */
  readonly version: number;
  /** Data of the current version (empty when missing or deleted). */
  readonly data: Record<string, unknown>;
}

const CAS_MISMATCH = /check-and-set parameter did not match/i;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function vaultErrors(body: unknown): string | undefined {
  const errors = isRecord(body) ? body['errors'] : undefined;
  return Array.isArray(errors) && errors.length ? errors.map(String).join('; ') : undefined;
}

export class VaultKvStore implements SecretStore {
  readonly kind = 'vault' as const;
  private readonly address: string;
  private readonly field: string;
  // ES private fields: util.inspect and JSON.stringify of a store never show the token.
  readonly #options: VaultStoreOptions;
  readonly #redactor: Redactor;

  constructor(
    readonly target: VaultTarget,
    options: VaultStoreOptions,
  ) {
    this.#options = options;
    this.address = options.address.replace(/\/+$/, '');
    this.field = options.field ?? 'kubeconfig';
    this.#redactor = new Redactor([options.token]);
  }

  private get where(): string {
    return `${this.target.mount}/${this.target.path}`;
  }

  private get service(): string {
    return `Vault at ${hostOf(this.address)}${this.#options.namespace ? ` (namespace ${this.#options.namespace})` : ''}`;
  }

  describe(): string {
    return `${this.service}: KV v2 secret ${this.where}, key "${this.field}"`;
  }

  private checkTarget(): void {
    if (!this.#options.token) throw new StoreError('auth', 'A Vault token is required (CLI: set VAULT_TOKEN).');
    if (!this.#options.address) throw new StoreError('invalid', 'The Vault address is required (CLI: set VAULT_ADDR).');
    checkServerUrl(this.address, 'The Vault address', this.#options.allowInsecureHttp);
    const segments = [this.target.mount, ...this.target.path.split('/')];
    if (segments.some((s) => s === '' || s === '.' || s === '..' || /\p{Cc}/u.test(s))) {
      throw new StoreError('invalid', `"${this.where}" is not a Vault secret path (MOUNT/PATH without empty, "." or ".." segments).`);
    }
    if (!this.field || /\p{Cc}/u.test(this.field)) throw new StoreError('invalid', 'The Vault data key must be a non-empty printable string.');
  }

  validate(value: string): void {
    this.checkTarget();
    checkCommonValue(value);
  }

  private url(kind: 'data' | 'metadata'): string {
    const path = this.target.path.split('/').map(encodeURIComponent).join('/');
    return `${this.address}/v1/${encodeURIComponent(this.target.mount)}/${kind}/${path}`;
  }

  private hints(action: string): StatusHints {
    const { mount, path } = this.target;
    return {
      service: this.service,
      action,
      scrub: (t) => this.#redactor.scrub(t),
      permission: `The token needs a policy granting read, create and update on "${mount}/data/${path}" (delete also needs delete on "${mount}/metadata/${path}"); an invalid or expired token is also refused this way.`,
      notFound: `Nothing answers at ${mount}/data/${path}: is "${mount}" a KV version 2 secrets engine mounted in this ${this.#options.namespace ? 'namespace' : 'Vault'}?`,
    };
  }

  private async request(method: string, kind: 'data' | 'metadata', action: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const headers: Record<string, string> = { 'X-Vault-Token': this.#options.token, 'X-Vault-Request': 'true' };
    if (this.#options.namespace) headers['X-Vault-Namespace'] = this.#options.namespace;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetchNoRedirect(this.hints(action).service, this.url(kind), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
      }); // a redirect would resend the token elsewhere: refused, naming where it pointed
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw networkError(this.hints(action), e);
    }
    const text = await res.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  }

  private async read(): Promise<Current> {
    const action = `read ${this.where}`;
    const { status, json } = await this.request('GET', 'data', action);
    const data = isRecord(json) && isRecord(json['data']) ? json['data'] : undefined;
    const version = data && isRecord(data['metadata']) && typeof data['metadata']['version'] === 'number' ? data['metadata']['version'] : undefined;
    if (status === 200) return { version: version ?? 0, data: data && isRecord(data['data']) ? data['data'] : {} };
    // 404 with metadata: the latest version was deleted; cas must still name it. Without errors: never written.
    if (status === 404 && (version !== undefined || !vaultErrors(json))) return { version: version ?? 0, data: {} };
    throw errorForStatus(status, vaultErrors(json), this.hints(action));
  }

  private async write(data: Record<string, unknown>, cas: number, action: string): Promise<number | undefined> {
    const { status, json } = await this.request('POST', 'data', action, { options: { cas }, data });
    if (status === 200 || status === 204) {
      const d = isRecord(json) && isRecord(json['data']) ? json['data'] : undefined;
      return typeof d?.['version'] === 'number' ? d['version'] : undefined;
    }
    const message = vaultErrors(json);
    if (status === 400 && message && CAS_MISMATCH.test(message)) {
      throw new StoreError(
        'conflict',
        `${this.where} changed while it was being written (check-and-set expected version ${cas}); nothing was overwritten. Run the export again to write over the new version.`,
        status,
      );
    }
    throw errorForStatus(status, message, this.hints(action));
  }

  put(value: string): Promise<PutResult> {
    // Kept for the store's lifetime (in a private field): server echoes of it are scrubbed too.
    this.#redactor.add(value, true);
    return this.#redactor.guard(async () => {
      this.validate(value);
      const current = await this.read();
      const existed = this.field in current.data;
      const version = await this.write({ ...current.data, [this.field]: value }, current.version, `write ${this.where}`);
      return { action: existed ? 'updated' : 'created', location: this.describe(), ...(version === undefined ? {} : { version }), warnings: [] };
    });
  }

  delete(): Promise<void> {
    return this.#redactor.guard(async () => {
      this.checkTarget();
      const current = await this.read();
      const others = Object.keys(current.data).filter((k) => k !== this.field);
      if (others.length > 0) {
        if (!(this.field in current.data)) return;
        const rest = Object.fromEntries(others.map((k) => [k, current.data[k]]));
        await this.write(rest, current.version, `remove key "${this.field}" from ${this.where}`);
        return;
      }
      const action = `delete ${this.where}`;
      const { status, json } = await this.request('DELETE', 'metadata', action);
      if (status !== 204 && status !== 200 && status !== 404) throw errorForStatus(status, vaultErrors(json), this.hints(action));
    });
  }

  exists(): Promise<boolean> {
    return this.#redactor.guard(async () => {
      this.checkTarget();
      return this.field in (await this.read()).data;
    });
  }
}
