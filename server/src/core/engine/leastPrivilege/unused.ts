import type { Finding, LocatedRule, RbacObject } from '../model';
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
      const replacement = [...new Set(groups.flatMap((g) => neededIn(g).map((r) => r.resource)))].sort();
      out.push({
        ...base,
        span,
        message: `resources "*" grants every resource; the manifests need only ${replacement.length ? replacement.join(', ') : 'none of them'}`,
        data: { ruleIndex: lr.index, field: 'resources', value: res, replacement },
      });
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
