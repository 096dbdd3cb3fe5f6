// GitHub Actions repository or environment secret: fetch the public key, seal the value with
// libsodium (crypto_box_seal), PUT it. Names and size are checked before any request.
//
// Environments are NOT created by default: a new environment has no protection rules (no required
// reviewers, no branch restriction), so a secret in it is readable by a workflow on any branch,
// which is weaker than what people expect from an "environment secret". `createEnvironment: true`
// creates it (and the result carries a warning); a run that fails after creating it deletes it again.
import { Octokit } from '@octokit/rest';
import sodium from 'libsodium-wrappers';
import { checkCommonValue, StoreError, type PutResult, type SecretStore } from './secretStore';
import { Redactor } from './redact';
import { checkServerUrl, errorForStatus, fetchNoRedirect, hostOf, networkError, type StatusHints } from './http';
import type { GitHubTarget } from './target';

export const GITHUB_SECRET_MAX_BYTES = 48 * 1024;
const DEFAULT_BASE_URL = 'https://api.github.com';
const PERMISSION =
  'The token needs write access to Actions secrets: the "Secrets" repository permission (read and write) for a fine-grained token, or the "repo" scope for a classic token.';

export interface GitHubStoreOptions {
  readonly token: string;
  /** API root; GitHub Enterprise Server: https://HOST/api/v3. */
  readonly baseUrl?: string;
  /** Create a missing environment (without protection rules) instead of failing. */
  readonly createEnvironment?: boolean;
  readonly allowInsecureHttp?: boolean;
  readonly timeoutMs?: number;
}

/** GitHub's secret name rules; returns the name as GitHub stores it (upper-case). */
export function checkGitHubSecretName(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new StoreError('invalid', `GitHub secret name "${name}" may only contain letters, digits and "_".`);
  }
  if (/^[0-9]/.test(name)) throw new StoreError('invalid', `GitHub secret name "${name}" must not start with a digit.`);
  if (/^GITHUB_/i.test(name)) throw new StoreError('invalid', `GitHub secret name "${name}" must not start with GITHUB_ (reserved).`);
  return name.toUpperCase();
}

export function checkGitHubRepo(owner: string, repo: string, environment?: string): void {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(owner)) {
    throw new StoreError('invalid', `"${owner}" is not a GitHub user or organization name.`);
  }
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(repo) || repo === '.' || repo === '..') {
    throw new StoreError('invalid', `"${repo}" is not a GitHub repository name.`);
  }
  if (environment !== undefined && (environment.length === 0 || environment.length > 255 || /\p{Cc}/u.test(environment))) {
    throw new StoreError('invalid', 'GitHub environment names must have 1 to 255 printable characters.');
  }
}

export function checkGitHubValueSize(value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > GITHUB_SECRET_MAX_BYTES) {
    throw new StoreError(
      'invalid',
      `The value is ${bytes} bytes; GitHub Actions secrets are limited to 48 KB (${GITHUB_SECRET_MAX_BYTES} bytes).`,
    );
  }
}

/** Seals `value` for GitHub with the repository's base64 public key. */
export async function sealForGitHub(value: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  let key: Uint8Array;
  try {
    key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  } catch {
    throw new StoreError('server', 'GitHub returned a public key that is not valid base64.');
  }
  if (key.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new StoreError('server', `GitHub returned a public key of ${key.length} bytes (expected ${sodium.crypto_box_PUBLICKEYBYTES}).`);
  }
  return sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(value), key), sodium.base64_variants.ORIGINAL);
}

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

interface OctokitLikeError {
  status?: number;
  response?: { status: number; data?: unknown };
}

function classify(e: unknown, h: StatusHints): StoreError {
  if (e instanceof StoreError) return e;
  // Octokit wraps what its fetch throws (a refused redirect) in a RequestError with status 500.
  if (e instanceof Error && e.cause instanceof StoreError) return e.cause;
  const err = e as OctokitLikeError;
  if (err && typeof err === 'object' && err.response && typeof err.response.status === 'number') {
    const data = err.response.data as { message?: unknown } | undefined;
    return errorForStatus(err.response.status, typeof data?.message === 'string' ? data.message : undefined, h);
  }
  return networkError(h, e);
}

interface SecretsApi {
  publicKey(signal: AbortSignal): Promise<{ data: { key: string; key_id: string } }>;
  put(sealed: { encrypted_value: string; key_id: string }, signal: AbortSignal): Promise<{ status: number }>;
  remove(signal: AbortSignal): Promise<unknown>;
  read(signal: AbortSignal): Promise<unknown>;
}

export class GitHubSecretStore implements SecretStore {
  readonly kind = 'github' as const;
  readonly #octokit: Octokit;
  // ES private fields: util.inspect and JSON.stringify of a store never show the token.
  readonly #options: GitHubStoreOptions;
  readonly #redactor: Redactor;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(
    readonly target: GitHubTarget,
    options: GitHubStoreOptions,
  ) {
    this.#options = options;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#redactor = new Redactor([options.token]);
    const service = this.baseUrl === DEFAULT_BASE_URL ? 'GitHub' : `GitHub at ${hostOf(this.baseUrl)}`;
    this.#octokit = new Octokit({
      auth: options.token,
      baseUrl: this.baseUrl,
      userAgent: 'pipeline-rbac',
      log: silentLog,
      // fetch follows redirects, re-sending the sealed value on 307/308 (and the token to the same origin on http): refuse them.
      request: { fetch: (input: string | URL | Request, init?: RequestInit) => fetchNoRedirect(service, input, init) },
    });
  }

  private get name(): string {
    return this.target.name.toUpperCase();
  }

  private get repoText(): string {
    return `${this.target.owner}/${this.target.repo}`;
  }

  describe(): string {
    const env = this.target.environment === undefined ? '' : ` (environment "${this.target.environment}")`;
    const host = this.baseUrl === DEFAULT_BASE_URL ? '' : ` on ${hostOf(this.baseUrl)}`;
    return `GitHub Actions secret ${this.name} of ${this.repoText}${env}${host}`;
  }

  private checkTarget(): void {
    if (!this.#options.token) throw new StoreError('auth', 'A GitHub token is required (CLI: set GITHUB_TOKEN).');
    checkServerUrl(this.baseUrl, 'The GitHub API URL', this.#options.allowInsecureHttp);
    checkGitHubRepo(this.target.owner, this.target.repo, this.target.environment);
    checkGitHubSecretName(this.target.name);
  }

  validate(value: string): void {
    this.checkTarget();
    checkCommonValue(value);
    checkGitHubValueSize(value);
  }

  private hints(action: string, notFound?: string): StatusHints {
    const env = this.target.environment;
    return {
      service: 'GitHub',
      action,
      permission: PERMISSION,
      scrub: (t) => this.#redactor.scrub(t),
      notFound:
        notFound ??
        (env === undefined
          ? `Repository ${this.repoText} was not found or the token cannot see it`
          : `Environment "${env}" of ${this.repoText} was not found, or the repository does not exist or the token cannot see it; create the environment (with its protection rules) in the repository settings, or allow creating it`),
    };
  }

  private async call<T>(h: StatusHints, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await fn(AbortSignal.timeout(this.timeoutMs));
    } catch (e) {
      throw classify(e, h);
    }
  }

  private async publicKey(): Promise<{ key: string; key_id: string }> {
    const h = this.hints(`read the Actions public key of ${this.repoText}`);
    const res = await this.call(h, (signal) => this.secretsApi().publicKey(signal));
    return res.data;
  }

  /** The Actions secrets endpoints of the target, the repository's or one environment's: the one place they differ. */
  private secretsApi(): SecretsApi {
    const { owner, repo, environment } = this.target;
    const actions = this.#octokit.rest.actions;
    const secret_name = this.name;
    if (environment === undefined) {
      return {
        publicKey: (signal) => actions.getRepoPublicKey({ owner, repo, request: { signal } }),
        put: (sealed, signal) => actions.createOrUpdateRepoSecret({ owner, repo, secret_name, ...sealed, request: { signal } }),
        remove: (signal) => actions.deleteRepoSecret({ owner, repo, secret_name, request: { signal } }),
        read: (signal) => actions.getRepoSecret({ owner, repo, secret_name, request: { signal } }),
      };
    }
    const environment_name = environment;
    return {
      publicKey: (signal) => actions.getEnvironmentPublicKey({ owner, repo, environment_name, request: { signal } }),
      put: (sealed, signal) => actions.createOrUpdateEnvironmentSecret({ owner, repo, environment_name, secret_name, ...sealed, request: { signal } }),
      remove: (signal) => actions.deleteEnvironmentSecret({ owner, repo, environment_name, secret_name, request: { signal } }),
      read: (signal) => actions.getEnvironmentSecret({ owner, repo, environment_name, secret_name, request: { signal } }),
    };
  }

  private async createEnvironment(environment: string): Promise<void> {
    const { owner, repo } = this.target;
    const h: StatusHints = {
      ...this.hints(`create environment "${environment}" in ${this.repoText}`, `Repository ${this.repoText} was not found or the token cannot see it`),
      permission: 'Creating an environment needs the "Administration" repository permission (write), or the "repo" scope.',
    };
    await this.call(h, (signal) =>
      this.#octokit.rest.repos.createOrUpdateEnvironment({ owner, repo, environment_name: environment, request: { signal } }),
    );
  }

  put(value: string): Promise<PutResult> {
    // Kept for the store's lifetime (in a private field): server echoes of it are scrubbed too.
    this.#redactor.add(value, true);
    return this.#redactor.guard(async () => {
      this.validate(value);
      const { environment } = this.target;
      const warnings: string[] = [];
      let created = false;
      try {
        let key: { key: string; key_id: string };
        try {
          key = await this.publicKey();
        } catch (e) {
          if (!(e instanceof StoreError && e.code === 'not-found' && environment !== undefined && this.#options.createEnvironment)) throw e;
          await this.createEnvironment(environment);
          created = true;
          warnings.push(
            `Environment "${environment}" was created without protection rules: add required reviewers or deployment branch rules in the repository settings, otherwise a workflow on any branch can read this secret.`,
          );
          key = await this.publicKey();
        }
        const encrypted_value = await sealForGitHub(value, key.key);
        const h = this.hints(`write ${this.describe()}`);
        const res = await this.call(h, (signal) => this.secretsApi().put({ encrypted_value, key_id: key.key_id }, signal));
        return { action: res.status === 201 ? 'created' : 'updated', location: this.describe(), warnings };
      } catch (e) {
        if (created && environment !== undefined) await this.rollbackEnvironment(environment);
        throw e;
      }
    });
  }

  private async rollbackEnvironment(environment: string): Promise<void> {
    const { owner, repo } = this.target;
    try {
      await this.#octokit.rest.repos.deleteAnEnvironment({ owner, repo, environment_name: environment, request: { signal: AbortSignal.timeout(this.timeoutMs) } });
    } catch {
      // Best effort: the original error is the one the user needs to see.
    }
  }

  delete(): Promise<void> {
    return this.#redactor.guard(async () => {
      this.checkTarget();
      const h = this.hints(`delete ${this.describe()}`);
      try {
        await this.call(h, (signal) => this.secretsApi().remove(signal));
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'not-found')) throw e;
        // 404 means "no such secret" or "no such repository/environment": the key lookup tells them apart.
        await this.publicKey();
      }
    });
  }

  exists(): Promise<boolean> {
    return this.#redactor.guard(async () => {
      this.checkTarget();
      const h = this.hints(`read ${this.describe()}`);
      try {
        await this.call(h, (signal) => this.secretsApi().read(signal));
        return true;
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'not-found')) throw e;
        await this.publicKey(); // a missing repository is an error, not "no secret"
        return false;
      }
    });
  }
}
