// Fake GitHub REST API for Actions secrets (repository and environment), following
// https://docs.github.com/rest/actions/secrets and /rest/deployments/environments.
// It holds a real libsodium key pair and opens every sealed box, so tests see the plaintext.
import sodium from 'libsodium-wrappers';
import { FakeServer, type RecordedRequest, type Reply } from './httpFake';

const DOCS = 'https://docs.github.com/rest';

export interface GitHubFakeOptions {
  readonly token: string;
  /** Repositories that exist, as "owner/repo", with their environments. */
  readonly repos: Record<string, string[]>;
  /** API prefix, e.g. "/api/v3" for GitHub Enterprise Server. */
  readonly prefix?: string;
}

export class GitHubFake {
  readonly server: FakeServer;
  readonly keyId = '568250167242549743';
  private readonly keyPair: { publicKey: Uint8Array; privateKey: Uint8Array };
  /** "owner/repo" or "owner/repo@env" -> NAME -> plaintext value (decrypted). */
  private readonly secrets = new Map<string, Map<string, string>>();
  private readonly envs = new Map<string, Set<string>>();

  private constructor(private readonly options: GitHubFakeOptions) {
    this.keyPair = sodium.crypto_box_keypair();
    for (const [repo, envs] of Object.entries(options.repos)) this.envs.set(repo.toLowerCase(), new Set(envs.map((e) => e.toLowerCase())));
    this.server = new FakeServer((req) => this.route(req), (req) => this.auth(req));
  }

  static async start(options: GitHubFakeOptions): Promise<GitHubFake> {
    await sodium.ready;
    const fake = new GitHubFake(options);
    await fake.server.start();
    return fake;
  }

  /** Base URL to give the store (includes the prefix). */
  get baseUrl(): string {
    return this.server.url + (this.options.prefix ?? '');
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** The decrypted value of a secret, or undefined. */
  secret(repo: string, name: string, environment?: string): string | undefined {
    return this.secrets.get(this.scopeKey(repo, environment))?.get(name.toUpperCase());
  }

  hasEnvironment(repo: string, environment: string): boolean {
    return this.envs.get(repo.toLowerCase())?.has(environment.toLowerCase()) ?? false;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private scopeKey(repo: string, environment?: string): string {
    return environment === undefined ? repo.toLowerCase() : `${repo.toLowerCase()}@${environment.toLowerCase()}`;
  }

  private auth(req: RecordedRequest): Reply | undefined {
    const header = String(req.headers.authorization ?? '');
    const m = /^(?:token|bearer) (.+)$/i.exec(header);
    if (m && m[1] === this.options.token) return undefined;
    return { status: 401, body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' } };
  }

  private route(req: RecordedRequest): Reply {
    const prefix = (this.options.prefix ?? '').split('/').filter(Boolean);
    if (!prefix.every((p, i) => req.segments[i] === p)) return notFound();
    const s = req.segments.slice(prefix.length);
    if (s[0] !== 'repos' || s.length < 4) return notFound();
    const repo = `${s[1]}/${s[2]}`;
    if (!this.envs.has(repo.toLowerCase())) return notFound();
    if (s[3] === 'actions' && s[4] === 'secrets') return this.secretRoute(req, repo, undefined, s.slice(5));
    if (s[3] === 'environments' && s.length >= 5) {
      const env = s[4]!;
      if (s.length === 5) return this.environmentRoute(req, repo, env);
      if (!this.hasEnvironment(repo, env)) return notFound();
      if (s[5] === 'secrets') return this.secretRoute(req, repo, env, s.slice(6));
    }
    return notFound();
  }

  private environmentRoute(req: RecordedRequest, repo: string, env: string): Reply {
    const envs = this.envs.get(repo.toLowerCase())!;
    if (req.method === 'PUT') {
      envs.add(env.toLowerCase());
      return { status: 200, body: { name: env, protection_rules: [] } };
    }
    if (!envs.has(env.toLowerCase())) return notFound();
    if (req.method === 'GET') return { status: 200, body: { name: env } };
    if (req.method === 'DELETE') {
      envs.delete(env.toLowerCase());
      this.secrets.delete(this.scopeKey(repo, env));
      return { status: 204 };
    }
    return notFound();
  }

  private secretRoute(req: RecordedRequest, repo: string, env: string | undefined, rest: readonly string[]): Reply {
    if (rest.length !== 1) return notFound();
    const key = this.scopeKey(repo, env);
    if (rest[0] === 'public-key' && req.method === 'GET') {
      return { status: 200, body: { key_id: this.keyId, key: sodium.to_base64(this.keyPair.publicKey, sodium.base64_variants.ORIGINAL) } };
    }
    const name = rest[0]!.toUpperCase();
    const scope = this.secrets.get(key) ?? new Map<string, string>();
    if (req.method === 'GET') return scope.has(name) ? { status: 200, body: { name, created_at: '2026-01-01T00:00:00Z' } } : notFound();
    if (req.method === 'DELETE') {
      if (!scope.delete(name)) return notFound();
      return { status: 204 };
    }
    if (req.method !== 'PUT') return notFound();
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || name.startsWith('GITHUB_')) return invalid('Secret names can only contain alphanumeric characters or underscores.');
    const body = req.json as { encrypted_value?: unknown; key_id?: unknown } | undefined;
    if (typeof body?.encrypted_value !== 'string' || body.key_id !== this.keyId) return invalid('Invalid request: encrypted_value and the current key_id are required.');
    let plaintext: string;
    try {
      const opened = sodium.crypto_box_seal_open(
        sodium.from_base64(body.encrypted_value, sodium.base64_variants.ORIGINAL),
        this.keyPair.publicKey,
        this.keyPair.privateKey,
      );
      plaintext = sodium.to_string(opened);
    } catch {
      return invalid('Bad encrypted value.');
    }
    const existed = scope.has(name);
    scope.set(name, plaintext);
    this.secrets.set(key, scope);
    return existed ? { status: 204 } : { status: 201, body: {} };
  }
}

function notFound(): Reply {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

function invalid(message: string): Reply {
  return { status: 422, body: { message, documentation_url: DOCS, status: '422' } };
}
