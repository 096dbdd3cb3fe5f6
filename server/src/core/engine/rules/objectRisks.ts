/**
 * Risks that depend on more than one rule or on where the role lives, so they are not memoized per rule:
 * nodes-write (with pods/eviction anywhere in the role: rbac-police's "steal pods") and configmap-write (a ClusterRole,
 * or a Role in kube-system: EKS's kube-system/aws-auth maps IAM identities to Kubernetes groups such as system:masters).
 */
import type { Finding, RbacObject } from '../model';
import { defaultSeverity } from './catalog';
import { describe, isNamed, itemSpan, matchResourceItem } from './resourceRisks';
import type { Target } from './resourceRiskTable';
import { isFullWildcard } from './wildcards';

const NODE_WRITES: Target[] = [{ group: '', resource: 'nodes', verbs: ['update', 'patch'] }];
const EVICT: Target[] = [{ group: '', resource: 'pods', subresource: 'eviction', verbs: ['create'] }];
const CONFIGMAP_WRITES: Target[] = [{ group: '', resource: 'configmaps', verbs: ['create', 'update', 'patch'] }];
const AWS_AUTH = 'aws-auth';

function grants(obj: RbacObject, targets: Target[]): boolean {
  return obj.rules.some((l) => !isFullWildcard(l.rule) && (l.rule.resources ?? []).some((r) => matchResourceItem(targets, l.rule, r) !== undefined));
}

/** One finding per resource item granting a target, with `effect`; full wildcards are reported once elsewhere. */
function itemFindings(obj: RbacObject, id: Finding['ruleId'], targets: Target[], effect: (names: readonly string[] | undefined) => string | undefined): Finding[] {
  const out: Finding[] = [];
  for (const located of obj.rules) {
    if (isFullWildcard(located.rule)) continue;
    const resources = located.rule.resources ?? [];
    resources.forEach((res, i) => {
      const m = matchResourceItem(targets, located.rule, res);
      const what = m && effect(isNamed(located.rule) ? located.rule.resourceNames : undefined);
      if (!m || !what) return;
      out.push({
        ruleId: id,
        severity: defaultSeverity(id),
        message: describe(what, located, [res], m, m.verbIdx.map((v) => located.rule.verbs[v]!)),
        span: itemSpan(located, 'resources', i),
        documentIndex: obj.documentIndex,
        data: { ruleIndex: located.index, field: 'resources', value: res },
      });
    });
  }
  return out;
}

export function nodesWriteFindings(obj: RbacObject): Finding[] {
  // Nodes are cluster-scoped: a Role cannot grant them (cluster-scoped-in-role says so).
  if (obj.kind !== 'ClusterRole') return [];
  const steal = grants(obj, EVICT);
  const effect = steal
    ? 'relabels, taints or cordons nodes, and with create on pods/eviction in this role evicts pods so they reschedule onto a node of the holder\'s choosing (rbac-police "steal pods")'
    : 'relabels, taints or cordons nodes: pulls workloads with node selectors, affinities or tolerations onto a node of the holder\'s choosing';
  return itemFindings(obj, 'nodes-write', NODE_WRITES, () => effect);
}

export function configMapWriteFindings(obj: RbacObject): Finding[] {
  const where = obj.kind === 'ClusterRole' ? 'cluster-wide' : obj.kind === 'Role' && obj.namespace === 'kube-system' ? 'in kube-system' : undefined;
  if (!where) return [];
  return itemFindings(obj, 'configmap-write', CONFIGMAP_WRITES, (names) => {
    if (names && !names.includes(AWS_AUTH)) return undefined;
    const scope = where === 'cluster-wide' ? 'writes ConfigMaps wherever it is bound, kube-system included' : 'writes ConfigMaps in kube-system';
    return `${scope}: on EKS, kube-system/aws-auth maps IAM roles and users to Kubernetes groups such as system:masters`;
  });
}
