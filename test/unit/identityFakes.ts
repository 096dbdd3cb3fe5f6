// In-memory IdentityCluster for unit tests of the identity flows: keeps objects by kind/ns/name,
// issues fake JWTs, and fails on demand (by operation and object) like the apiserver would.
import { randomBytes, randomUUID } from 'node:crypto';
import { KubeConfig, type KubernetesObject, type V1ClusterRoleBinding, type V1Role, type V1RoleBinding, type V1Secret, type V1ServiceAccount } from '@kubernetes/client-node';
import type { IdentityCluster, IssuedToken, TokenRequestSpec } from '../../server/src/core/lifecycle/kube';
import type { ObjectRef } from '../../server/src/core/lifecycle/types';
import { LiveError } from '../../server/src/core/live/liveError';
import type { LoadedKubeconfig } from '../../server/src/core/live/kubeconfig';
import type { AccessQuery, Whoami } from '../../server/src/core/live/clusterApi';
import type { PutResult, SecretStore } from '../../server/src/core/stores/secretStore';
import { StoreError } from '../../server/src/core/stores/secretStore';

type Kind = ObjectRef['kind'];
const key = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;

export interface IssuedRecord {
  token: string;
  serviceAccount: string;
  boundSecret?: { name: string; uid: string };
  expirationSeconds: number;
}

export class FakeCluster implements IdentityCluster {
  readonly objects = new Map<string, KubernetesObject>();
  readonly issued: IssuedRecord[] = [];
  readonly calls: string[] = [];
  /** `op kind/ns/name` or `op kind` -> error to throw once matched (e.g. "apply RoleBinding"). */
  readonly failures = new Map<string, Error>();
  denied = new Set<string>();
  /** Seconds granted at most (simulates --service-account-max-token-expiration). */
  maxTokenSeconds = Infinity;
  /** Legacy token Secrets get a token after this many reads (Infinity: never). */
  legacyFillAfterReads = 1;
  private legacyReads = new Map<string, number>();

  constructor(readonly user: Whoami = { username: 'developer', groups: ['system:authenticated'] }) {}

  private check(op: string, kind: string, ns: string, name: string): void {
    this.calls.push(`${op} ${key(kind, ns, name)}`);
    for (const k of [`${op} ${key(kind, ns, name)}`, `${op} ${kind}`]) {
      const e = this.failures.get(k);
      if (e) throw e;
    }
  }

  has(kind: Kind, ns: string, name: string): boolean {
    return this.objects.has(key(kind, ns, name));
  }

  get<T extends KubernetesObject>(kind: Kind, ns: string, name: string): T | undefined {
    return this.objects.get(key(kind, ns, name)) as T | undefined;
  }

  /** Valid = its ServiceAccount exists and its bound Secret (if any) still exists with the same uid. */
  tokenValid(token: string): boolean {
    const rec = this.issued.find((i) => i.token === token);
    if (!rec) return false;
    if (!this.has('ServiceAccount', 'team-a', rec.serviceAccount)) return false;
    if (rec.boundSecret) {
      const s = this.get<V1Secret>('Secret', 'team-a', rec.boundSecret.name);
      return s?.metadata?.uid === rec.boundSecret.uid;
    }
    return true;
  }

  async whoami(): Promise<Whoami> {
    this.calls.push('whoami');
    return this.user;
  }

  async can(q: AccessQuery): Promise<boolean> {
    return !this.denied.has(`${q.verb} ${q.subresource ? `${q.resource}/${q.subresource}` : q.resource}`);
  }

  async readServiceAccount(ns: string, name: string) {
    this.check('read', 'ServiceAccount', ns, name);
    return this.get<V1ServiceAccount>('ServiceAccount', ns, name);
  }
  async readRole(ns: string, name: string) {
    this.check('read', 'Role', ns, name);
    return this.get<V1Role>('Role', ns, name);
  }
  async readRoleBinding(ns: string, name: string) {
    this.check('read', 'RoleBinding', ns, name);
    return this.get<V1RoleBinding>('RoleBinding', ns, name);
  }

  private listOf<T>(kind: string, ns: string | undefined, labelSelector?: string): T[] {
    this.check('list', kind, ns ?? '', '');
    const [k, v] = (labelSelector ?? '').split('=');
    return [...this.objects.entries()]
      .filter(([id, o]) => id.startsWith(`${kind}/${ns === undefined ? '' : `${ns}/`}`) && (!labelSelector || o.metadata?.labels?.[k ?? ''] === v))
      .map(([, o]) => structuredClone(o) as T);
  }
  async listRoles(ns: string, labelSelector: string): Promise<V1Role[]> {
    return this.listOf<V1Role>('Role', ns, labelSelector);
  }
  async listRoleBindings(ns: string | undefined, labelSelector?: string): Promise<V1RoleBinding[]> {
    return this.listOf<V1RoleBinding>('RoleBinding', ns, labelSelector);
  }
  async listClusterRoleBindings(): Promise<V1ClusterRoleBinding[]> {
    return this.listOf<V1ClusterRoleBinding>('ClusterRoleBinding', undefined);
  }

  async apply<T extends KubernetesObject>(obj: T, opts: { dryRun?: boolean } = {}): Promise<T> {
    const kind = obj.kind as string;
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    this.check(opts.dryRun ? 'dryrun' : 'apply', kind, ns, name);
    const prev = this.objects.get(key(kind, ns, name));
    const uid = prev?.metadata?.uid ?? randomUUID();
    const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, uid } }) as T;
    if (!opts.dryRun) this.objects.set(key(kind, ns, name), stored);
    return stored;
  }

  async createSecret(ns: string, body: V1Secret): Promise<V1Secret> {
    const name = body.metadata?.name ?? '';
    this.check('create', 'Secret', ns, name);
    if (this.has('Secret', ns, name)) throw new LiveError(`secrets "${name}" already exists`, 'conflict', 409);
    const stored = structuredClone({ ...body, metadata: { ...body.metadata, uid: randomUUID() } });
    this.objects.set(key('Secret', ns, name), stored);
    return stored;
  }

  async readSecret(ns: string, name: string): Promise<V1Secret | undefined> {
    this.check('read', 'Secret', ns, name);
    const s = this.get<V1Secret>('Secret', ns, name);
    if (s?.type === 'kubernetes.io/service-account-token' && !s.data?.token) {
      const n = (this.legacyReads.get(name) ?? 0) + 1;
      this.legacyReads.set(name, n);
      if (n >= this.legacyFillAfterReads) {
        const token = this.newToken(s.metadata?.annotations?.['kubernetes.io/service-account.name'] ?? '', 0);
        s.data = { token: Buffer.from(token).toString('base64'), namespace: Buffer.from(ns).toString('base64') };
      }
    }
    return s ? structuredClone(s) : undefined;
  }

  private newToken(sa: string, seconds: number, boundSecret?: { name: string; uid: string }): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims = { sub: `system:serviceaccount:team-a:${sa}`, iat, ...(seconds ? { exp: iat + seconds } : {}) };
    const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
    this.issued.push({ token, serviceAccount: sa, expirationSeconds: seconds, ...(boundSecret ? { boundSecret } : {}) });
    return token;
  }

  async requestToken(ns: string, sa: string, spec: TokenRequestSpec): Promise<IssuedToken> {
    this.check('token', 'ServiceAccount', ns, sa);
    if (!this.has('ServiceAccount', ns, sa)) throw new LiveError(`serviceaccounts "${sa}" not found`, 'not-found', 404);
    if (spec.boundSecret) {
      const s = this.get<V1Secret>('Secret', ns, spec.boundSecret.name);
      if (s?.metadata?.uid !== spec.boundSecret.uid) throw new LiveError('the bound Secret does not exist', 'invalid', 422);
    }
    const seconds = Math.min(spec.expirationSeconds, this.maxTokenSeconds);
    const token = this.newToken(sa, seconds, spec.boundSecret ? { ...spec.boundSecret } : undefined);
    return { token, expirationTimestamp: new Date(Date.now() + seconds * 1000) };
  }

  async listSecrets(ns: string, labelSelector: string): Promise<V1Secret[]> {
    this.check('list', 'Secret', ns, '');
    const [k, v] = labelSelector.split('=');
    return [...this.objects.entries()]
      .filter(([id, o]) => id.startsWith(`Secret/${ns}/`) && o.metadata?.labels?.[k ?? ''] === v)
      .map(([, o]) => structuredClone(o) as V1Secret);
  }

  async delete(ref: ObjectRef, opts: { uid?: string } = {}): Promise<boolean> {
    this.check('delete', ref.kind, ref.namespace, ref.name);
    const existing = this.objects.get(key(ref.kind, ref.namespace, ref.name));
    if (existing && opts.uid && existing.metadata?.uid !== opts.uid) throw new LiveError('Precondition failed: UID in precondition does not match', 'conflict', 409);
    return this.objects.delete(key(ref.kind, ref.namespace, ref.name));
  }
}

/** A store that keeps the value in memory and can fail on put/delete. */
export class MemoryStore implements SecretStore {
  readonly kind = 'file' as const;
  value: string | undefined;
  putCount = 0;
  failPut: StoreError | undefined;
  failDelete: StoreError | undefined;
  constructor(private readonly label = 'memory store') {}
  describe(): string {
    return this.label;
  }
  validate(value: string): void {
    if (!value) throw new StoreError('invalid', 'empty');
  }
  async put(value: string): Promise<PutResult> {
    this.putCount++;
    if (this.failPut) throw this.failPut;
    const action = this.value === undefined ? 'created' : 'updated';
    this.value = value;
    return { action, location: this.label, warnings: [] };
  }
  async delete(): Promise<void> {
    if (this.failDelete) throw this.failDelete;
    this.value = undefined;
  }
  async readBack(): Promise<string | undefined> {
    return this.value;
  }
}

/** A LoadedKubeconfig for a fake cluster (no network is ever used with it). */
export function fakeLoaded(): LoadedKubeconfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: 'https://k8s.example.com:6443', caData: Buffer.from('-----BEGIN CERTIFICATE-----\nFAKE\n-----END CERTIFICATE-----\n').toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'dev', exec: { command: 'get-credentials', args: ['--secret'], apiVersion: 'client.authentication.k8s.io/v1' } }],
    contexts: [{ name: 'dev@test', cluster: 'test', user: 'dev', namespace: 'team-a' }],
    currentContext: 'dev@test',
  });
  return { kc, context: 'dev@test', namespace: 'team-a', server: 'https://k8s.example.com:6443', source: '/nonexistent/kubeconfig' };
}

export class MemoryLogger {
  readonly lines: string[] = [];
  info = (m: string) => void this.lines.push(`info ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
}
