/**
 * Steps that run code as a ServiceAccount through a pod or read its token: workloads, TokenRequest, legacy token
 * Secrets, a token Secret the token controller fills in, exec/attach/ephemeral containers/pod updates, nodes/proxy.
 */
import { allows, allowsSomeName, candidateNamespaces, type Match } from './grants';
import { check, resourceName, type Edge, type StepFinder } from './step';

/** Workload kinds whose pod spec (or template) names a ServiceAccount. Pods first: the shortest way to say it. */
const WORKLOADS: readonly [string, string][] = [
  ['', 'pods'],
  ['apps', 'deployments'],
  ['apps', 'replicasets'],
  ['apps', 'statefulsets'],
  ['apps', 'daemonsets'],
  ['batch', 'jobs'],
  ['batch', 'cronjobs'],
  ['', 'replicationcontrollers'],
];

/** create any workload in N, or update/patch one of the controllers (a pod's serviceAccountName is immutable). */
export const workloadSteps: StepFinder = ({ grants, u }) => {
  const edges: Edge[] = [];
  for (const ns of candidateNamespaces(grants, u.namespaces, WORKLOADS)) {
    let found: Edge | undefined;
    for (const [group, resource] of WORKLOADS) {
      const req = { verb: 'create', apiGroup: group, resource };
      const m = allows(grants, req, ns);
      if (m) {
        found = { step: { id: 'workload', action: `create ${resourceName(group, resource)}`, namespace: ns, matches: [m], checks: [check(req, ns)] }, target: { kind: 'pool', namespace: ns } };
        break;
      }
    }
    if (!found) {
      for (const [group, resource] of WORKLOADS.slice(1)) {
        for (const verb of ['update', 'patch']) {
          const m = allowsSomeName(grants, { verb, apiGroup: group, resource }, ns);
          if (!m) continue;
          const names = m.grant.rules[m.ruleIndex]!.resourceNames ?? [];
          const name = names[0] ?? '';
          found = {
            step: { id: 'workload', action: `${verb} ${resourceName(group, resource)}${names.length ? ` ${names.join(', ')}` : ''}`, namespace: ns, matches: [m], checks: [check({ verb, apiGroup: group, resource, name }, ns)], note: 'an existing one: its pod template names the ServiceAccount' },
            target: { kind: 'pool', namespace: ns },
          };
          break;
        }
        if (found) break;
      }
    }
    if (found) edges.push(found);
  }
  return edges;
};

/** TokenRequest: create serviceaccounts/token, resourceNames respected (the request names the ServiceAccount). */
export const tokenRequestSteps: StepFinder = ({ grants, u }) => {
  const edges: Edge[] = [];
  for (const ns of candidateNamespaces(grants, u.namespaces, [['', 'serviceaccounts/token']])) {
    for (const name of u.serviceAccounts.get(ns) ?? []) {
      const req = { verb: 'create', apiGroup: '', resource: 'serviceaccounts', subresource: 'token', name };
      const m = allows(grants, req, ns);
      if (m) edges.push({ step: { id: 'token-request', action: `create serviceaccounts/token ${name}`, namespace: ns, matches: [m], checks: [check(req, ns)] }, target: { kind: 'identity', identity: { kind: 'ServiceAccount', namespace: ns, name } } });
    }
  }
  return edges;
};

/** Legacy token Secrets: list/watch return every one's data; get needs each Secret's name (resourceNames respected). */
export const secretReadSteps: StepFinder = ({ grants, u }) => {
  const edges: Edge[] = [];
  for (const ns of candidateNamespaces(grants, u.namespaces, [['', 'secrets']])) {
    const secrets = u.tokenSecrets.get(ns);
    if (!secrets?.length) continue;
    let bulk: { verb: string; m: Match } | undefined;
    for (const verb of ['list', 'watch']) {
      const m = allows(grants, { verb, apiGroup: '', resource: 'secrets' }, ns);
      if (m) {
        bulk = { verb, m };
        break;
      }
    }
    for (const s of secrets) {
      const target = { kind: 'identity' as const, identity: { kind: 'ServiceAccount' as const, namespace: ns, name: s.serviceAccount } };
      if (bulk) {
        edges.push({ step: { id: 'secret-read', action: `${bulk.verb} secrets`, namespace: ns, matches: [bulk.m], checks: [check({ verb: bulk.verb, apiGroup: '', resource: 'secrets' }, ns)], note: `the legacy token Secret ${s.name}` }, target });
        continue;
      }
      const req = { verb: 'get', apiGroup: '', resource: 'secrets', name: s.name };
      const m = allows(grants, req, ns);
      if (m) edges.push({ step: { id: 'secret-read', action: `get secrets ${s.name}`, namespace: ns, matches: [m], checks: [check(req, ns)], note: 'needs the Secret\'s name' }, target });
    }
  }
  return edges;
};

/**
 * create a Secret of type kubernetes.io/service-account-token naming any ServiceAccount of N: the token controller
 * writes that account's token into it. Reading it back needs get (any name: the creator picks it), list or watch.
 */
export const tokenSecretSteps: StepFinder = ({ grants, u }) => {
  const edges: Edge[] = [];
  for (const ns of candidateNamespaces(grants, u.namespaces, [['', 'secrets']])) {
    const create = { verb: 'create', apiGroup: '', resource: 'secrets' };
    const c = allows(grants, create, ns);
    if (!c) continue;
    let read: Match | undefined;
    let readVerb = 'get';
    for (const verb of ['get', 'list', 'watch']) {
      read = verb === 'get' ? allowsSomeName(grants, { verb, apiGroup: '', resource: 'secrets' }, ns) : allows(grants, { verb, apiGroup: '', resource: 'secrets' }, ns);
      readVerb = verb;
      if (read) break;
    }
    if (!read) continue;
    const readName = read.grant.rules[read.ruleIndex]!.resourceNames?.[0] ?? '';
    edges.push({
      step: { id: 'token-secret', action: `create secrets (type kubernetes.io/service-account-token) + ${readVerb} secrets`, namespace: ns, matches: [c, read], checks: [check(create, ns), check({ verb: readVerb, apiGroup: '', resource: 'secrets', ...(readVerb === 'get' ? { name: readName } : {}) }, ns)] },
      target: { kind: 'pool', namespace: ns },
    });
  }
  return edges;
};

const POD_ACCESS: readonly { verb: string; subresource?: string; action: string }[] = [
  { verb: 'create', subresource: 'exec', action: 'create pods/exec' },
  { verb: 'create', subresource: 'attach', action: 'create pods/attach' },
  { verb: 'update', subresource: 'ephemeralcontainers', action: 'update pods/ephemeralcontainers' },
  { verb: 'patch', subresource: 'ephemeralcontainers', action: 'patch pods/ephemeralcontainers' },
  { verb: 'update', action: 'update pods' },
  { verb: 'patch', action: 'patch pods' },
];

/** exec, attach, an ephemeral container or a new image in an existing pod runs code with that pod's ServiceAccount. */
export const podTakeoverSteps: StepFinder = (ctx) => {
  const { grants, u } = ctx;
  const edges: Edge[] = [];
  for (const ns of candidateNamespaces(grants, u.namespaces, [['', 'pods'], ['', 'pods/exec'], ['', 'pods/attach'], ['', 'pods/ephemeralcontainers']])) {
    const seen = new Set<string>();
    for (const a of POD_ACCESS) {
      const base = { verb: a.verb, apiGroup: '', resource: 'pods', ...(a.subresource ? { subresource: a.subresource } : {}) };
      if (!allowsSomeName(grants, base, ns)) continue;
      if (u.podsKnown(ns)) {
        for (const pod of u.pods.get(ns) ?? []) {
          const m = allows(grants, { ...base, name: pod.name }, ns);
          if (!m || seen.has(pod.serviceAccount)) continue;
          seen.add(pod.serviceAccount);
          edges.push({ step: { id: 'pod-takeover', action: `${a.action} ${pod.name}`, namespace: ns, matches: [m], checks: [check({ ...base, name: pod.name }, ns)] }, target: { kind: 'identity', identity: { kind: 'ServiceAccount', namespace: ns, name: pod.serviceAccount } } });
        }
        continue;
      } else {
        const m = allowsSomeName(grants, base, ns)!;
        const name = m.grant.rules[m.ruleIndex]!.resourceNames?.[0] ?? '';
        edges.push({ step: { id: 'pod-takeover', action: a.action, namespace: ns, matches: [m], checks: [check({ ...base, name }, ns)], note: 'pods not listed: any ServiceAccount of the namespace a pod may run as' }, target: { kind: 'pool', namespace: ns } });
      }
      break;
    }
  }
  return edges;
};

/** nodes/proxy (get: a WebSocket exec through the kubelet; create) reaches every pod on those nodes. */
export const nodesProxySteps: StepFinder = ({ grants, u }) => {
  for (const verb of ['get', 'create']) {
    const base = { verb, apiGroup: '', resource: 'nodes', subresource: 'proxy' };
    const any = allowsSomeName(grants, base, '');
    if (!any) continue;
    const nodeNames = any.grant.rules[any.ruleIndex]!.resourceNames ?? [];
    const everyPodKnown = u.universe.podsEverywhere === true;
    const action = `${verb} nodes/proxy${nodeNames.length ? ` ${nodeNames.join(', ')}` : ''}`;
    const step = { id: 'nodes-proxy' as const, action, namespace: '', matches: [any], checks: [check({ ...base, name: nodeNames[0] ?? '' }, '')] };
    if (!everyPodKnown) return [{ step: { ...step, note: 'pods not listed in every namespace: any ServiceAccount a pod may run as' }, target: { kind: 'allServiceAccounts' } }];
    const edges: Edge[] = [];
    const seen = new Set<string>();
    for (const pods of u.pods.values()) {
      for (const pod of pods) {
        if (!pod.node || !allows(grants, { ...base, name: pod.node }, '')) continue;
        const key = `${pod.namespace}/${pod.serviceAccount}`;
        if (seen.has(key)) continue;
        seen.add(key);
        edges.push({ step: { ...step, note: `pod ${pod.namespace}/${pod.name} on node ${pod.node}` }, target: { kind: 'identity', identity: { kind: 'ServiceAccount', namespace: pod.namespace, name: pod.serviceAccount } } });
      }
    }
    return edges;
  }
  return [];
};
