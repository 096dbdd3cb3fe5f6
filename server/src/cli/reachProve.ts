/**
 * --prove: every outbound path asked of the apiserver as the identities that take its steps. A ServiceAccount that
 * takes a step gets a 10-minute token (TokenRequest, held in this process's memory only, never printed); as it, a
 * SelfSubjectAccessReview for every check of the step, and for a step that creates a workload or a token Secret for
 * the ServiceAccount reached, a `dryRun=All` create naming it (admission runs; nothing is stored).
 */
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { IdentityCluster } from '../core/lifecycle/kube';
import { ClusterApi } from '../core/live/clusterApi';
import { toLiveError, withTimeout } from '../core/live/liveError';
import { identityKey, type Identity, type ReachGraph, type Step } from '../core/reach';
import { identityKubeConfig } from '../core/verify/asIdentity';

const TOKEN_SECONDS = 600;
/** Bound on the paths proven (each costs a few requests). */
export const MAX_PROVEN = 50;
const TIMEOUT_MS = 20_000;

interface Actor {
  reviews: ClusterApi;
  objects: KubernetesObjectApi;
  who: string;
}

/** The object a dry-run create sends for a step that runs a pod (or fills a token Secret) as `sa`. */
export function dryRunObject(step: Step, namespace: string, sa: string): KubernetesObject | undefined {
  const meta = { generateName: 'pipeline-rbac-reach-', namespace };
  const podSpec = { serviceAccountName: sa, containers: [{ name: 'reach', image: 'registry.k8s.io/pause:3.10' }] };
  const template = { metadata: { labels: { 'pipeline-rbac.io/reach': 'proof' } }, spec: podSpec };
  const selector = { matchLabels: { 'pipeline-rbac.io/reach': 'proof' } };
  const c = step.checks[0];
  if (step.id === 'token-secret') return { apiVersion: 'v1', kind: 'Secret', metadata: { ...meta, annotations: { 'kubernetes.io/service-account.name': sa } }, type: 'kubernetes.io/service-account-token' } as KubernetesObject;
  if (step.id !== 'workload' || !c || c.verb !== 'create') return undefined;
  switch (`${c.apiGroup}/${c.resource}`) {
    case '/pods':
      return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: podSpec } as KubernetesObject;
    case 'apps/deployments':
      return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: 0, selector, template } } as KubernetesObject;
    case 'apps/replicasets':
      return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { replicas: 0, selector, template } } as KubernetesObject;
    case 'apps/statefulsets':
      return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta, spec: { replicas: 0, selector, serviceName: 'reach', template } } as KubernetesObject;
    case 'apps/daemonsets':
      return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta, spec: { selector, template } } as KubernetesObject;
    case 'batch/jobs':
      return { apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } } } } as KubernetesObject;
    case 'batch/cronjobs':
      return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta, spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } } } } } } as KubernetesObject;
    case '/replicationcontrollers':
      return { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta, spec: { replicas: 0, selector: selector.matchLabels, template } } as KubernetesObject;
    default:
      return undefined;
  }
}

/** The apiserver's text from a LiveError's "<what> failed: <message>". */
function apiserverText(message: string): string {
  const i = message.indexOf(' failed: ');
  return i >= 0 ? message.slice(i + ' failed: '.length) : message;
}

/** Proofs by reached identity key: `proven`, or what the apiserver refused (or why it could not be asked). */
export async function proveReach(admin: KubeConfig, cluster: IdentityCluster, graph: ReachGraph, subject: Identity): Promise<Map<string, string>> {
  const proofs = new Map<string, string>();
  const actors = new Map<string, Actor>();
  const answers = new Map<string, boolean>();
  const actorFor = async (id: Identity): Promise<Actor | undefined> => {
    if (id.kind !== 'ServiceAccount') return undefined;
    const key = identityKey(id);
    let a = actors.get(key);
    if (!a) {
      const issued = await cluster.requestToken(id.namespace, id.name, { expirationSeconds: TOKEN_SECONDS });
      const kc = identityKubeConfig(admin, issued.token, id.namespace);
      a = { reviews: new ClusterApi(kc, TIMEOUT_MS), objects: KubernetesObjectApi.makeApiClient(kc), who: key };
      actors.set(key, a);
    }
    return a;
  };
  const reached = graph.outbound(subject);
  for (const [n, r] of reached.entries()) {
    const key = identityKey(r.identity);
    if (n >= MAX_PROVEN) {
      proofs.set(key, `not checked: --prove checks the first ${MAX_PROVEN} paths`);
      continue;
    }
    let actorId: Identity = subject;
    let proof = 'proven';
    for (const [i, step] of r.path.entries()) {
      const actor = await actorFor(actorId);
      if (!actor) {
        proof = `not checked: step ${i + 1} is taken as ${identityKey(actorId)}, which has no token to ask with`;
        break;
      }
      const after = r.hops[i]!;
      const refused = await proveStep(actor, step, after, answers);
      if (refused) {
        proof = `refused at step ${i + 1} (${actor.who}): ${refused}`;
        break;
      }
      actorId = after;
    }
    proofs.set(key, proof);
  }
  return proofs;
}

async function proveStep(actor: Actor, step: Step, target: Identity | undefined, answers: Map<string, boolean>): Promise<string | undefined> {
  for (const c of step.checks) {
    const key = JSON.stringify([actor.who, c]);
    let allowed = answers.get(key);
    if (allowed === undefined) {
      allowed = await actor.reviews.accessReview({ verb: c.verb, group: c.apiGroup, resource: c.resource, ...(c.subresource ? { subresource: c.subresource } : {}), ...(c.namespace ? { namespace: c.namespace } : {}), ...(c.name ? { name: c.name } : {}) });
      answers.set(key, allowed);
    }
    if (!allowed) return `SelfSubjectAccessReview denies ${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.name ? ` ${c.name}` : ''}${c.namespace ? ` in ${c.namespace}` : ' cluster-wide'}`;
  }
  if (target?.kind !== 'ServiceAccount') return undefined;
  const body = dryRunObject(step, target.namespace, target.name);
  if (!body) return undefined;
  const what = `dry-run creating ${body.kind} in ${target.namespace} as ${target.name}`;
  try {
    await withTimeout(actor.objects.create(body, undefined, 'All'), TIMEOUT_MS, what);
    return undefined;
  } catch (err) {
    const e = toLiveError(err, what);
    if (e.kind === 'unreachable' || e.kind === 'unauthorized' || e.kind === 'timeout') throw e;
    return `${what}: ${apiserverText(e.message)}`;
  }
}
