/** Generated RBAC corpora for the benchmarks: realistic shapes, valid group/resource pairs, deterministic. */
import { mulberry32 } from '../test/cluster/roleGenerator';

const PAIRS: [string, string[]][] = [
  ['', ['pods', 'services', 'configmaps', 'secrets', 'serviceaccounts', 'pods/log', 'pods/exec', 'persistentvolumeclaims']],
  ['apps', ['deployments', 'statefulsets', 'daemonsets', 'replicasets', 'deployments/scale']],
  ['batch', ['jobs', 'cronjobs']],
  ['networking.k8s.io', ['ingresses', 'networkpolicies']],
  ['autoscaling', ['horizontalpodautoscalers']],
  ['rbac.authorization.k8s.io', ['roles', 'rolebindings']],
];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const some = <T>(r: Rand, xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(r() * max) }, () => pick(r, xs)))];

export function ruleYaml(r: Rand, indent = '  '): string {
  const [group, resources] = pick(r, PAIRS);
  const verbs = r() < 0.05 ? ['*'] : some(r, VERBS, 4);
  return `${indent}- apiGroups: [${JSON.stringify(group)}]\n${indent}  resources: ${JSON.stringify(some(r, resources, 3))}\n${indent}  verbs: ${JSON.stringify(verbs)}\n`;
}

/** One RBAC document: mostly Roles, with ClusterRoles, bindings and ServiceAccounts. */
export function documentYaml(r: Rand, i: number): string {
  const x = r();
  if (x < 0.55) {
    const rules = Array.from({ length: 1 + Math.floor(r() * 6) }, () => ruleYaml(r)).join('');
    return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-${i}\n  namespace: team-${i % 50}\nrules:\n${rules}`;
  }
  if (x < 0.65) {
    const rules = Array.from({ length: 1 + Math.floor(r() * 4) }, () => ruleYaml(r)).join('');
    return `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: clusterrole-${i}\nrules:\n${rules}`;
  }
  if (x < 0.9) {
    const cluster = r() < 0.5;
    return `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: binding-${i}\n  namespace: team-${i % 50}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ${cluster ? 'ClusterRole' : 'Role'}\n  name: ${cluster ? 'edit' : `role-${i - 1}`}\nsubjects:\n  - kind: ServiceAccount\n    name: ci-${i}\n    namespace: team-${i % 50}\n`;
  }
  return `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ci-${i}\n  namespace: team-${i % 50}\n  labels:\n    pipeline-rbac.io/identity: "true"\n`;
}

/** `files` files of `perFile` documents each. */
export function corpus(seed: number, files: number, perFile: number): { name: string; text: string }[] {
  const r = mulberry32(seed);
  return Array.from({ length: files }, (_, f) => ({
    name: `rbac-${String(f).padStart(3, '0')}.yaml`,
    text: Array.from({ length: perFile }, (_, d) => documentYaml(r, f * perFile + d)).join('---\n'),
  }));
}

/** A single Role with `rules` rules (the edit-latency file). */
export function bigRole(seed: number, rules: number): string {
  const r = mulberry32(seed);
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: big\n  namespace: team-a\nrules:\n${Array.from({ length: rules }, () => ruleYaml(r)).join('')}`;
}
