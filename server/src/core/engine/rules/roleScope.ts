/**
 * What a namespaced Role can grant. A RoleBinding grants a Role's rules for requests in its namespace only, and
 * requests for cluster-scoped resources (nodes, persistentvolumes, CSRs, webhook configurations, clusterroles...)
 * carry no namespace, so those grants give nothing. The one exception is the Role's own Namespace object: a request
 * for namespaces/<name> is authorised in namespace <name>. Scopes come from the built-in catalog, which is exact for
 * built-in resources; a CRD's scope is unknown here, so nothing is said about it.
 */
import { builtinCatalog } from '../catalog/apiCatalog';
import { VIRTUAL_RESOURCES, type VirtualResource } from '../catalog/virtual';
import type { Finding, RbacObject } from '../model';
import { defaultSeverity } from './catalog';
import { itemSpan } from './resourceRisks';
import { RESOURCE_RISKS, type ResourceRisk, type Target } from './resourceRiskTable';

/** Is the built-in resource (or a subresource of it) cluster-scoped, so a RoleBinding never grants it? */
export function roleCannotGrant(group: string, resource: string): boolean {
  const base = resource.split('/')[0]!;
  if (base === 'namespaces') return false;
  const found = builtinCatalog().findResource(group, base);
  return found !== undefined && !found.namespaced;
}

const roleTarget = (t: Target): boolean => !roleCannotGrant(t.group, t.resource);

/** The resource risks as a Role can have them: cluster-scoped targets dropped, effects said for a namespace. */
const ROLE_RISKS: readonly ResourceRisk[] = RESOURCE_RISKS.flatMap((r) => {
  const targets = r.targets.filter(roleTarget);
  if (!targets.length) return [];
  return [{ ...r, targets, effect: r.roleEffect ?? r.effect }];
});

export function risksFor(kind: RbacObject['kind']): readonly ResourceRisk[] {
  return kind === 'Role' ? ROLE_RISKS : RESOURCE_RISKS;
}

const ROLE_VIRTUAL = VIRTUAL_RESOURCES.filter((v) => v.namespaced === true);

/** The authorisation-only resources (impersonate, bind, approve...) a role of this kind can grant. */
export function virtualResourcesFor(kind: RbacObject['kind']): readonly VirtualResource[] {
  return kind === 'Role' ? ROLE_VIRTUAL : VIRTUAL_RESOURCES;
}

/** One information finding per literal resource item of a Role that only names cluster-scoped built-in resources. */
export function clusterScopedInRoleFindings(obj: RbacObject): Finding[] {
  if (obj.kind !== 'Role') return [];
  const findings: Finding[] = [];
  for (const located of obj.rules) {
    const groups = located.rule.apiGroups ?? [];
    if (!groups.length) continue;
    const anyGroup = groups.includes('*');
    (located.rule.resources ?? []).forEach((res, i) => {
      if (res.includes('*')) return;
      // With apiGroups "*": the built-in groups serving the resource (a CRD's group may serve a namespaced namesake).
      const named = anyGroup ? builtinCatalog().groupsOfResource(res.split('/')[0]!) : groups;
      if (!named.length || !named.every((g) => roleCannotGrant(g, res))) return;
      const tail = anyGroup
        ? `; with apiGroups "*" it grants only a namespaced custom resource of that name, if one is installed`
        : `; this grants nothing (a RoleBinding grants only what is in its namespace: a ClusterRole bound by a ClusterRoleBinding grants ${res})`;
      findings.push({
        ruleId: 'cluster-scoped-in-role',
        severity: defaultSeverity('cluster-scoped-in-role'),
        message: `a Role cannot grant cluster-scoped ${res}${tail}`,
        span: itemSpan(located, 'resources', i),
        documentIndex: obj.documentIndex,
        data: { ruleIndex: located.index, field: 'resources', value: res },
      });
    });
  }
  return findings;
}
