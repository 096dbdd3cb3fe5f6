/**
 * Seeded generator of random Roles and ClusterRoles for the fidelity test: biased toward what the test
 * cluster's `developer` holds, so that about half are accepted and the rest hit every corner of the
 * escalation check (wildcards, subresources, resourceNames, non-resource URLs, groups).
 */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const some = <T>(r: Rand, xs: readonly T[], max: number): T[] => {
  const n = 1 + Math.floor(r() * max);
  return [...new Set(Array.from({ length: n }, () => pick(r, xs)))];
};

/** (group, resources) the developer holds in team-a, plus neighbours it does not. */
const RESOURCE_POOL: readonly [string, readonly string[]][] = [
  ['', ['serviceaccounts', 'serviceaccounts/token', 'services', 'configmaps', 'secrets', 'pods', 'pods/exec', 'pods/log', 'services/status', '*']],
  ['apps', ['deployments', 'deployments/scale', 'statefulsets', 'daemonsets', '*', '*/scale']],
  ['networking.k8s.io', ['ingresses', 'ingresses/status', 'networkpolicies']],
  ['autoscaling', ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']],
  ['rbac.authorization.k8s.io', ['roles', 'rolebindings', 'clusterroles']],
  ['batch', ['jobs', 'cronjobs']],
  ['authorization.k8s.io', ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']],
  ['*', ['deployments', 'configmaps', '*']],
];
const HELD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const OTHER_VERBS = ['deletecollection', 'escalate', 'bind', 'impersonate', '*', 'use'];
const NAMES = ['web', 'api', 'lock', 'ci'];
const URLS = ['/healthz', '/version', '/version/', '/livez', '/readyz', '/metrics', '/logs*', '/api', '/apis/*', '*'];

export interface GeneratedRole {
  kind: 'Role' | 'ClusterRole';
  yaml: string;
  name: string;
}

function resourceRule(r: Rand, clusterScope: boolean): Record<string, unknown> {
  const [group, resources] = pick(r, RESOURCE_POOL);
  const groups = r() < 0.15 ? [group, pick(r, RESOURCE_POOL)[0]] : [group];
  const rule: Record<string, unknown> = {
    apiGroups: [...new Set(groups)],
    resources: some(r, resources, 3),
    verbs: r() < 0.8 ? some(r, HELD_VERBS, 4) : [...some(r, HELD_VERBS, 2), pick(r, OTHER_VERBS)],
  };
  if (r() < 0.2) rule.resourceNames = some(r, NAMES, 2);
  // ClusterRoles: mostly what every authenticated user holds cluster-wide (self reviews), so some are accepted.
  if (clusterScope && r() < 0.5) {
    rule.apiGroups = ['authorization.k8s.io'];
    rule.resources = some(r, ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], 2);
    rule.verbs = r() < 0.8 ? ['create'] : some(r, ['create', 'get'], 2);
    delete rule.resourceNames;
  }
  return rule;
}

function urlRule(r: Rand): Record<string, unknown> {
  return { nonResourceURLs: some(r, URLS, 2), verbs: r() < 0.8 ? ['get'] : some(r, ['get', 'post', '*'], 2) };
}

export function generateRoles(seed: number, count: number, prefix: string): GeneratedRole[] {
  const r = mulberry32(seed);
  const out: GeneratedRole[] = [];
  for (let i = 0; i < count; i++) {
    const kind = r() < 0.75 ? 'Role' : 'ClusterRole';
    const name = `${prefix}-${i}`;
    const rules = Array.from({ length: 1 + Math.floor(r() * 3) }, () =>
      kind === 'ClusterRole' && r() < 0.3 ? urlRule(r) : resourceRule(r, kind === 'ClusterRole'),
    );
    const metadata = kind === 'Role' ? `metadata:\n  name: ${name}\n  namespace: team-a\n` : `metadata:\n  name: ${name}\n`;
    const yaml = `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\n${metadata}rules: ${JSON.stringify(rules)}\n`;
    out.push({ kind, yaml, name });
  }
  return out;
}
