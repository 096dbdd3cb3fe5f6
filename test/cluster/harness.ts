// Test helper for suites that talk to the real test cluster (cluster, e2e).
// Under `node scripts/test.mjs` the cluster is started once per run and its kubeconfigs come in
// through KUBECONFIG_ADMIN/DEVELOPER/VIEWER; a test file run on its own starts (or reuses) the
// cluster itself and stops it at exit when it started it (unless PIPELINE_RBAC_KEEP_CLUSTER is set).
import { randomBytes } from 'node:crypto';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { dirname, join } from 'node:path';
import { startCluster, stopClusterNow } from './lifecycle.mjs';
import { signToken } from './oidcIssuer.mjs';

export { DEVELOPER_RULES, NAMESPACES, type SeedPolicyRule } from './seed.mjs';

export type ClusterUser = 'admin' | 'developer' | 'viewer';
export interface ClusterKubeconfigs {
  admin: string;
  developer: string;
  viewer: string;
}

/** Namespace where developer holds the seeded Role and viewer the `view` ClusterRole. */
export const TEAM_A = 'team-a';
/** Namespace where developer and viewer hold nothing beyond the cluster defaults. */
export const TEAM_B = 'team-b';
/** Issuer and audience of service-account tokens on the test cluster. */
export const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

let cached: ClusterKubeconfigs | undefined;
let cachedIssuers: OidcIssuers | undefined;

/** The test cluster's CI OIDC issuers (test/cluster/oidcIssuer.mjs), trusted by its apiserver. */
export interface OidcIssuers {
  /** GitHub-shaped, at a GitHub Enterprise Server style URL (https://127.0.0.1:PORT/_services/token). */
  github: string;
  /** GitLab-shaped, a self-managed instance URL (https://127.0.0.1:PORT). */
  gitlab: string;
}

/** Absolute kubeconfig paths of the three seeded users; starts the cluster when needed. */
export function clusterKubeconfigs(): ClusterKubeconfigs {
  if (cached) return cached;
  const e = process.env;
  if (e.KUBECONFIG_ADMIN && e.KUBECONFIG_DEVELOPER && e.KUBECONFIG_VIEWER && e.PIPELINE_RBAC_OIDC_ISSUER && e.PIPELINE_RBAC_OIDC_ISSUER_GITLAB) {
    cached = { admin: e.KUBECONFIG_ADMIN, developer: e.KUBECONFIG_DEVELOPER, viewer: e.KUBECONFIG_VIEWER };
    cachedIssuers = { github: e.PIPELINE_RBAC_OIDC_ISSUER, gitlab: e.PIPELINE_RBAC_OIDC_ISSUER_GITLAB };
    return cached;
  }
  const { env, startedHere } = startCluster();
  if (startedHere && !process.env.PIPELINE_RBAC_KEEP_CLUSTER) process.on('exit', () => stopClusterNow());
  cached = { admin: env.KUBECONFIG_ADMIN, developer: env.KUBECONFIG_DEVELOPER, viewer: env.KUBECONFIG_VIEWER };
  cachedIssuers = { github: env.PIPELINE_RBAC_OIDC_ISSUER, gitlab: env.PIPELINE_RBAC_OIDC_ISSUER_GITLAB };
  return cached;
}

export function oidcIssuers(): OidcIssuers {
  clusterKubeconfigs();
  return cachedIssuers ?? assertNever('the cluster did not report its OIDC issuers');
}

/** The cluster's state directory (kubeconfigs, pki/, logs/): where `up` wrote the admin kubeconfig. */
export function clusterStateDir(): string {
  return dirname(clusterKubeconfigs().admin);
}

/** A JWT signed by the test issuer named in claims.iss, with exactly these claims (see test/cluster/oidc-token). */
export function mintOidcToken(claims: Record<string, unknown>): Promise<string> {
  return signToken(join(clusterStateDir(), 'pki', 'oidc'), claims);
}

function assertNever(message: string): never {
  throw new Error(message);
}

/** A fresh KubeConfig loaded from the user's kubeconfig (current context: team-a for developer/viewer). */
export function kubeConfigFor(user: ClusterUser): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(clusterKubeconfigs()[user]);
  return kc;
}

/** A KubeConfig for the test cluster that authenticates with a bearer token (e.g. a ServiceAccount's). */
export function kubeConfigWithToken(token: string, namespace = TEAM_A): KubeConfig {
  const cluster = kubeConfigFor('admin').getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'token-user', token }],
    contexts: [{ name: 'token', cluster: cluster.name, user: 'token-user', namespace }],
    currentContext: 'token',
  });
  return kc;
}

/** A DNS-1123 label unique to this call, e.g. `uniqueName('sa')` -> "sa-k3x9-1a2b3c". */
export function uniqueName(prefix = 't'): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 't';
  return `${clean}-${Date.now().toString(36).slice(-4)}-${randomBytes(3).toString('hex')}`;
}

export interface ApiStatus {
  code: number;
  reason?: string;
  message: string;
}

/** The Kubernetes Status of a failed @kubernetes/client-node call, or undefined for other errors. */
export function apiStatus(err: unknown): ApiStatus | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body: unknown = err.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const status = parsed && typeof parsed === 'object' ? (parsed as { reason?: unknown; message?: unknown }) : {};
  return {
    code: err.code,
    reason: typeof status.reason === 'string' ? status.reason : undefined,
    message: typeof status.message === 'string' ? status.message : typeof body === 'string' ? body : '',
  };
}

/** Runs a delete call; true when something was deleted, false when it was already gone (404). */
export async function deleteIfExists(remove: () => Promise<unknown>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (err) {
    if (apiStatus(err)?.code === 404) return false;
    throw err;
  }
}

/** Polls until probe returns a value other than undefined/null/false; throws after timeoutMs. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
