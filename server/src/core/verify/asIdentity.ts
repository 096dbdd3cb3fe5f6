/**
 * "Verify as the identity": mint a 10-minute token for the pipeline's ServiceAccount (TokenRequest, held in this
 * process's memory only), then ask the apiserver *as that ServiceAccount*: a server-side dry-run apply (dryRun=All) of
 * every manifest object, and a SelfSubjectAccessReview for each request the deploy tool sends besides. The token
 * never reaches a log, an error message, process arguments or a file.
 */
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { ApiCatalog } from '../engine/catalog/apiCatalog';
import type { RequiredPermission } from '../engine/deployer/needs';
import { groupOf, guessResource } from '../engine/leastPrivilege/needed';
import type { IdentityCluster } from '../lifecycle/kube';
import { apiPathProblem } from '../live/apiPath';
import { ClusterApi } from '../live/clusterApi';
import { LiveError, toLiveError, withTimeout } from '../live/liveError';
import type { ManifestDoc } from './objects';

export const VERIFY_TOKEN_SECONDS = 600;
const FIELD_MANAGER = 'pipeline-rbac-verify';

export type ObjectOutcome = 'allowed' | 'forbidden' | 'conflict' | 'invalid' | 'not-found' | 'error';

export interface ObjectVerdict {
  kind: string;
  name: string;
  namespace?: string;
  source: string;
  outcome: ObjectOutcome;
  /** The apiserver's own text for anything but allowed. */
  message?: string;
  /** A cluster-scoped object: only a ClusterRole can grant it (the seeds advise against). */
  clusterScoped?: boolean;
  /** The manifest names a namespace other than the identity's: its RoleBindings there are what count. */
  otherNamespace?: boolean;
}

export interface NeedVerdict {
  need: RequiredPermission;
  namespace: string;
  allowed: boolean;
  message?: string;
}

export interface VerifyResult {
  identity: string;
  expiresAt: string;
  objects: ObjectVerdict[];
  needs: NeedVerdict[];
}

export interface VerifyRequest {
  namespace: string;
  serviceAccount: string;
  docs: ManifestDoc[];
  /** What the deployer sends besides the apply itself (SelfSubjectAccessReview each). */
  needs: RequiredPermission[];
  catalog: ApiCatalog;
  timeoutMs?: number;
}

/** A kubeconfig for the same cluster (server, CA, TLS options) whose user is the ServiceAccount's token. */
export function identityKubeConfig(admin: KubeConfig, token: string, namespace: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new LiveError('the kubeconfig context names no cluster', 'other');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'pipeline-identity', token }],
    contexts: [{ name: 'pipeline-identity', cluster: cluster.name, user: 'pipeline-identity', namespace }],
    currentContext: 'pipeline-identity',
  });
  return kc;
}

export async function verifyAsIdentity(admin: KubeConfig, cluster: IdentityCluster, req: VerifyRequest): Promise<VerifyResult> {
  const timeoutMs = req.timeoutMs ?? 20_000;
  const sa = await cluster.readServiceAccount(req.namespace, req.serviceAccount);
  if (!sa) throw new LiveError(`ServiceAccount ${req.namespace}/${req.serviceAccount} does not exist`, 'not-found', 404);
  const issued = await cluster.requestToken(req.namespace, req.serviceAccount, { expirationSeconds: VERIFY_TOKEN_SECONDS });
  const kc = identityKubeConfig(admin, issued.token, req.namespace);
  const objectsApi = KubernetesObjectApi.makeApiClient(kc);
  const reviews = new ClusterApi(kc, timeoutMs);

  const objects: ObjectVerdict[] = [];
  for (const doc of req.docs) objects.push(await dryRunApply(objectsApi, doc, req, timeoutMs));

  const needs: NeedVerdict[] = [];
  const asked = new Map<string, boolean>();
  for (const need of req.needs) {
    const known = req.catalog.findResource(need.group, need.resource);
    // A cluster-scoped request has no namespace: asking with one would let a Role's grant answer "allowed".
    const namespace = known && !known.namespaced ? '' : (need.namespace ?? req.namespace);
    const key = JSON.stringify([need.verb, need.group, need.resource, need.name, namespace]);
    let allowed = asked.get(key);
    if (allowed === undefined) {
      allowed = await reviews.accessReview({ verb: need.verb, group: need.group, resource: need.resource, ...(namespace ? { namespace } : {}), ...(need.name ? { name: need.name } : {}) });
      asked.set(key, allowed);
    }
    needs.push({ need, namespace, allowed });
  }
  return { identity: `system:serviceaccount:${req.namespace}:${req.serviceAccount}`, expiresAt: issued.expirationTimestamp.toISOString(), objects, needs };
}

async function dryRunApply(api: KubernetesObjectApi, doc: ManifestDoc, req: VerifyRequest, timeoutMs: number): Promise<ObjectVerdict> {
  const group = groupOf(doc.apiVersion);
  const resource = req.catalog.resourceForKind(group, doc.kind) ?? guessResource(doc.kind);
  const known = req.catalog.findResource(group, resource);
  const clusterScoped = known ? !known.namespaced : false;
  // Objects without a namespace go to the identity's namespace, as `kubectl apply -n NS` would put them.
  const namespace = clusterScoped ? undefined : (doc.namespace ?? req.namespace);
  const metadata = { ...((doc.value.metadata as Record<string, unknown> | undefined) ?? {}), ...(namespace ? { namespace } : {}) };
  const body = { ...doc.value, metadata } as KubernetesObject;
  const other = namespace !== undefined && namespace !== req.namespace;
  const base = { kind: doc.kind, name: doc.name, source: doc.source, ...(namespace ? { namespace } : {}), ...(clusterScoped ? { clusterScoped } : {}), ...(other ? { otherNamespace: true } : {}) };
  const what = `dry-run applying ${doc.kind} ${namespace ? `${namespace}/` : ''}${doc.name}`;
  const problem = apiPathProblem(doc.apiVersion, doc.kind);
  if (problem) return { ...base, outcome: 'error', message: `not sent to the apiserver: ${problem}` };
  try {
    await withTimeout(api.patch(body, undefined, 'All', FIELD_MANAGER, false, PatchStrategy.ServerSideApply), timeoutMs, what);
    return { ...base, outcome: 'allowed' };
  } catch (err) {
    const e = toLiveError(err, what);
    const outcome: ObjectOutcome =
      e.kind === 'forbidden' ? 'forbidden' : e.kind === 'conflict' ? 'conflict' : e.kind === 'invalid' ? 'invalid' : e.kind === 'not-found' ? 'not-found' : 'error';
    if (e.kind === 'unreachable' || e.kind === 'unauthorized' || e.kind === 'timeout') throw e;
    return { ...base, outcome, message: apiserverText(e.message) };
  }
}

/** The apiserver's Status.message from a LiveError's "<what> failed: <message>". */
function apiserverText(message: string): string {
  const i = message.indexOf(' failed: ');
  return i >= 0 ? message.slice(i + ' failed: '.length) : message;
}
