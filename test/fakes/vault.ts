// Fake Vault / OpenBao KV v2 (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2):
// GET/POST/DELETE /v1/:mount/data/:path with check-and-set, DELETE /v1/:mount/metadata/:path,
// X-Vault-Token (403 "permission denied" otherwise), optional X-Vault-Namespace.
import { FakeServer, type RecordedRequest, type Reply } from './httpFake';

export interface VaultFakeOptions {
  readonly token: string;
  readonly mounts: readonly string[];
  /** When set, requests must carry this X-Vault-Namespace. */
  readonly namespace?: string;
}

interface Version {
  readonly data: Record<string, unknown>;
  deleted: boolean;
}

export class VaultFake {
  readonly server: FakeServer;
  private readonly secrets = new Map<string, Version[]>();

  private constructor(private readonly options: VaultFakeOptions) {
    this.server = new FakeServer((req) => this.route(req), (req) => this.auth(req));
  }

  static async start(options: VaultFakeOptions): Promise<VaultFake> {
    const fake = new VaultFake(options);
    await fake.server.start();
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** Data of the current version, undefined when missing or deleted. */
  secret(mount: string, path: string): Record<string, unknown> | undefined {
    const versions = this.secrets.get(`${mount}/${path}`);
    const last = versions?.[versions.length - 1];
    return last && !last.deleted ? last.data : undefined;
  }

  version(mount: string, path: string): number {
    return this.secrets.get(`${mount}/${path}`)?.length ?? 0;
  }

  /** Writes a new version directly (another writer). */
  write(mount: string, path: string, data: Record<string, unknown>): void {
    const versions = this.secrets.get(`${mount}/${path}`) ?? [];
    versions.push({ data, deleted: false });
    this.secrets.set(`${mount}/${path}`, versions);
  }

  /** Soft-deletes the latest version (like `vault kv delete`). */
  softDelete(mount: string, path: string): void {
    const versions = this.secrets.get(`${mount}/${path}`);
    if (versions?.length) versions[versions.length - 1]!.deleted = true;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private auth(req: RecordedRequest): Reply | undefined {
    const nsOk = this.options.namespace === undefined || req.headers['x-vault-namespace'] === this.options.namespace;
    if (req.headers['x-vault-token'] === this.options.token && nsOk) return undefined;
    return { status: 403, body: { errors: ['permission denied'] } };
  }

  private route(req: RecordedRequest): Reply {
    const [v1, mount, kind, ...rest] = req.segments;
    const path = rest.join('/');
    if (v1 !== 'v1' || !mount || !this.options.mounts.includes(mount) || (kind !== 'data' && kind !== 'metadata') || !path) {
      return { status: 404, body: { errors: [`no handler for route "${req.segments.slice(1).join('/')}". route entry not found.`] } };
    }
    const key = `${mount}/${path}`;
    const versions = this.secrets.get(key) ?? [];
    if (kind === 'metadata') {
      if (req.method !== 'DELETE') return { status: 405, body: { errors: [] } };
      this.secrets.delete(key);
      return { status: 204 };
    }
    const current = versions.length;
    const last = versions[current - 1];
    const metadata = (v: number) => ({ version: v, created_time: '2026-01-01T00:00:00Z', deletion_time: versions[v - 1]?.deleted ? '2026-01-02T00:00:00Z' : '', destroyed: false });
    if (req.method === 'GET') {
      if (!last) return { status: 404, body: { errors: [] } };
      if (last.deleted) return { status: 404, body: { data: { data: null, metadata: metadata(current) } } };
      return { status: 200, body: { data: { data: last.data, metadata: metadata(current) } } };
    }
    if (req.method === 'DELETE') {
      if (last) last.deleted = true;
      return { status: 204 };
    }
    if (req.method !== 'POST' && req.method !== 'PUT') return { status: 405, body: { errors: [] } };
    const body = req.json as { options?: { cas?: unknown }; data?: unknown } | undefined;
    if (!body || typeof body.data !== 'object' || body.data === null) return { status: 400, body: { errors: ['no data provided'] } };
    const cas = body.options?.cas;
    if (cas !== undefined && cas !== current) {
      return { status: 400, body: { errors: ['check-and-set parameter did not match the current version'] } };
    }
    versions.push({ data: body.data as Record<string, unknown>, deleted: false });
    this.secrets.set(key, versions);
    return { status: 200, body: { data: metadata(versions.length) } };
  }
}
