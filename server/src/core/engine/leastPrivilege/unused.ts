import type { Finding, FindingData, LocatedRule, PolicyRule, RbacObject } from '../model';
import type { NeededPermissions } from './needed';

/**
 * `unused-permission`: grants in a Role/ClusterRole that none of the pipeline's manifests needs.
 * Only resource rules are judged; a rule with resourceNames or nonResourceURLs is left alone (deliberate narrowing).
 */
export function unusedPermissionFindings(obj: RbacObject, needed: NeededPermissions): Finding[] {
  if (obj.kind !== 'Role' && obj.kind !== 'ClusterRole') return [];
  const out: Finding[] = [];
  for (const lr of obj.rules) out.push(...unusedInRule(obj, lr, needed));
  return out;
}

function unusedInRule(obj: RbacObject, lr: LocatedRule, needed: NeededPermissions): Finding[] {
  const { rule } = lr;
  if (rule.resourceNames?.length || rule.nonResourceURLs?.length) return [];
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  // Resources the deploy tool needs besides the deployed kinds (helm's release Secrets, grants of RBAC manifests).
  const required = needed.required ?? [];
  const neededIn = (group: string) => [
    ...[...needed.resources.values()].filter((r) => group === '*' || r.group === group),
    ...required.filter((n) => group === '*' || n.group === group).map((n) => ({ resource: n.resource })),
  ];
  const requiredVerbs = new Set(
    required.filter((n) => groups.some((g) => g === '*' || g === n.group) && resources.some((r) => r === '*' || r === n.resource)).map((n) => n.verb),
  );
  const out: Finding[] = [];
  const base = { ruleId: 'unused-permission' as const, severity: 'information' as const, documentIndex: obj.documentIndex };

  resources.forEach((res, i) => {
    const span = lr.fields.resources?.items[i] ?? lr.span;
    const base2 = res.includes('/') ? res.slice(0, res.indexOf('/')) : res;
    if (res === '*') {
      out.push({ ...base, span, ...wildcardResources(lr, needed) });
      return;
    }
    const used = groups.some((g) => neededIn(g).some((r) => r.resource === base2));
    if (!used) {
      out.push({
        ...base,
        span,
        message: `${res}${groups.length ? ` (${groups.map((g) => (g === '' ? 'core' : g)).join(', ')})` : ''} is not deployed by any of the pipeline's manifests`,
        data: { ruleIndex: lr.index, field: 'resources', value: res },
      });
    }
  });

  const extraVerbs = rule.verbs.filter((v) => v !== '*' && !needed.verbs.includes(v) && !requiredVerbs.has(v));
  rule.verbs.forEach((verb, i) => {
    const span = lr.fields.verbs?.items[i] ?? lr.span;
    if (verb === '*') {
      out.push({
        ...base,
        span,
        message: `verbs "*" grants every verb; deploying needs only ${needed.verbs.join(', ')}`,
        data: { ruleIndex: lr.index, field: 'verbs', value: verb, replacement: [...needed.verbs] },
      });
    } else if (extraVerbs.includes(verb)) {
      out.push({
        ...base,
        span,
        message: `verb "${verb}" is not needed to deploy the pipeline's manifests (${needed.verbs.join(', ')})`,
        data: { ruleIndex: lr.index, field: 'verbs', value: verb },
      });
    }
  });
  return out;
}

/**
 * `resources: ["*"]` against the needs: the resources each of the rule's groups must serve. One named group keeps the
 * rule and lists them; several groups (or `apiGroups: ["*"]`) split into one rule per group, since listing every
 * resource under every group would grant e.g. deployments in the core group, which does not serve them.
 */
function wildcardResources(lr: LocatedRule, needed: NeededPermissions): { message: string; data: FindingData } {
  const groups = lr.rule.apiGroups ?? [];
  const byGroup = new Map<string, Set<string>>();
  const add = (group: string, resource: string) => {
    if (!groups.includes('*') && !groups.includes(group)) return;
    const set = byGroup.get(group) ?? new Set<string>();
    set.add(resource);
    byGroup.set(group, set);
  };
  for (const r of needed.resources.values()) add(r.group, r.resource);
  for (const n of needed.required ?? []) add(n.group, n.resource);
  const sorted = [...byGroup].map(([g, set]) => [g, [...set].sort()] as const).sort(([a], [b]) => a.localeCompare(b));
  const data: FindingData = { ruleIndex: lr.index, field: 'resources', value: '*' };
  if (sorted.length === 0) return { message: 'resources "*" grants every resource; the manifests need none of them', data };
  const single = groups.length === 1 && groups[0] !== '*';
  const listed = sorted.flatMap(([g, rs]) => rs.map((r) => (single ? r : `${r} (${g === '' ? 'core' : g})`)));
  const message = `resources "*" grants every resource; the manifests need only ${listed.join(', ')}`;
  if (single) return { message, data: { ...data, replacement: sorted[0]![1] } };
  const rules: PolicyRule[] = sorted.map(([g, rs]) => ({ ...lr.rule, apiGroups: [g], resources: rs }));
  return { message, data: { ...data, replacementRules: rules } };
}
