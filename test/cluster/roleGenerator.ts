/**
 * Seeded generator of random Roles and ClusterRoles for the fidelity test. Rules are biased toward what the acting
 * user holds (subsets of its rules, sometimes narrowed by resourceNames, sometimes with one foreign verb), mixed with
 * neighbours it does not hold, so that both outcomes are common and every corner of the escalation check is hit:
 * wildcards, subresources, resourceNames, non-resource URL prefixes, several groups.
 */

export interface SeedRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

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
const subset = <T>(r: Rand, xs: readonly T[], max = xs.length): T[] => {
  const n = 1 + Math.floor(r() * Math.min(max, xs.length));
  return [...new Set(Array.from({ length: n }, () => pick(r, xs)))];
};

/** Resources the actors do not hold, next to ones they do. */
const NEIGHBOURS: readonly [string, readonly string[]][] = [
  ['', ['secrets', 'pods', 'pods/exec', 'pods/log', 'services/status', 'serviceaccounts', 'configmaps', '*']],
  ['apps', ['deployments', 'deployments/scale', 'statefulsets', 'daemonsets', '*', '*/scale']],
  ['networking.k8s.io', ['ingresses', 'ingresses/status', 'networkpolicies']],
  ['rbac.authorization.k8s.io', ['roles', 'rolebindings', 'clusterroles']],
  ['batch', ['jobs', 'cronjobs']],
  ['*', ['deployments', 'configmaps', '*']],
];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'escalate', 'bind', '*'];
const NAMES = ['web', 'api', 'lock', 'ci'];
const URLS = ['/healthz', '/version', '/metrics', '/logs', '/logs/kube-apiserver.log', '/logs*', '/apis/*', '*'];

export interface GeneratedRole {
  kind: 'Role' | 'ClusterRole';
  yaml: string;
  name: string;
}

function heldShaped(r: Rand, held: readonly SeedRule[]): Record<string, unknown> {
  const h = pick(r, held);
  if (h.nonResourceURLs) {
    // A held `/logs/*`-style prefix covers anything below it.
    const urls = subset(r, h.nonResourceURLs, 2).map((u) => (u.endsWith('*') && r() < 0.5 ? `${u.slice(0, -1)}x${Math.floor(r() * 9)}` : u));
    return { nonResourceURLs: urls, verbs: subset(r, h.verbs, 2) };
  }
  const rule: Record<string, unknown> = { apiGroups: [...h.apiGroups!], resources: subset(r, h.resources!, 3), verbs: subset(r, h.verbs, 4) };
  if (r() < 0.1) (rule.verbs as string[]).push(pick(r, VERBS));
  if (r() < 0.2) rule.resourceNames = subset(r, NAMES, 2);
  return rule;
}

/** Rules the apiserver's validation rejects (422), so schema agreement is exercised too. */
const INVALID: readonly Record<string, unknown>[] = [
  { apiGroups: [''], resources: ['pods'], verbs: [] },
  { resources: ['pods'], verbs: ['get'] },
  { apiGroups: [''], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods'], nonResourceURLs: ['/metrics'], verbs: ['get'] },
  { nonResourceURLs: ['/metrics'], verbs: ['get'] },
];

function neighbour(r: Rand, clusterScope: boolean): Record<string, unknown> {
  if (r() < 0.04) {
    // nonResourceURLs alone are valid in a ClusterRole, not in a Role.
    const bad = pick(r, INVALID);
    return clusterScope && bad.nonResourceURLs && !bad.resources ? { ...bad, verbs: [] } : { ...bad };
  }
  if (clusterScope && r() < 0.25) return { nonResourceURLs: subset(r, URLS, 2), verbs: subset(r, ['get', 'post', '*'], 2) };
  const [group, resources] = pick(r, NEIGHBOURS);
  const rule: Record<string, unknown> = { apiGroups: r() < 0.15 ? [...new Set([group, pick(r, NEIGHBOURS)[0]])] : [group], resources: subset(r, resources, 3), verbs: subset(r, VERBS, 3) };
  if (r() < 0.2) rule.resourceNames = subset(r, NAMES, 2);
  return rule;
}

/** `count` roles of `kind`; Roles go to `namespace`. `held` are the acting user's rules in that scope. */
export function generateRoles(seed: number, count: number, prefix: string, kind: 'Role' | 'ClusterRole', held: readonly SeedRule[], namespace = 'team-a'): GeneratedRole[] {
  const r = mulberry32(seed);
  const out: GeneratedRole[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${i}`;
    const rules = Array.from({ length: 1 + Math.floor(r() * 3) }, () => (r() < 0.65 ? heldShaped(r, held) : neighbour(r, kind === 'ClusterRole')));
    const metadata = kind === 'Role' ? `metadata:\n  name: ${name}\n  namespace: ${namespace}\n` : `metadata:\n  name: ${name}\n`;
    out.push({ kind, yaml: `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\n${metadata}rules: ${JSON.stringify(rules)}\n`, name });
  }
  return out;
}
