/**
 * "Replace rules with the least privilege for the manifests": the rules of one Role/ClusterRole become exactly what
 * the pipeline's manifests need (leastPrivilegeRules), as one text edit.
 */
import { leastPrivilegeRules } from '../leastPrivilege/generate';
import type { NeededPermissions } from '../leastPrivilege/needed';
import type { PolicyRule, RbacObject, Span } from '../model';
import { replaceRulesEdit } from './rulesText';
import type { Fix } from './textEdit';

/** The fix for one object; undefined when it does not apply or would change nothing the apiserver sees. */
export function leastPrivilegeFix(text: string, obj: RbacObject, needed: NeededPermissions): Fix | undefined {
  if (obj.kind !== 'Role' && obj.kind !== 'ClusterRole') return undefined;
  // The aggregation controller overwrites an aggregated ClusterRole's rules: editing them does nothing.
  if (obj.aggregationRule) return undefined;
  // No needs (no manifests found, or no deploy verbs): the "least privilege" would be an empty Role.
  if (needed.resources.size === 0 || needed.verbs.length === 0) return undefined;
  const rules = leastPrivilegeRules(needed);
  if (isComplete(obj) && sameGrants(obj.rules.map((r) => r.rule), rules)) return undefined;
  const edit = replaceRulesEdit(text, obj, rules);
  if (!edit) return undefined;
  return { title: `Replace rules with the least privilege for the manifests (${rules.length} rule${rules.length === 1 ? '' : 's'})`, edits: [edit] };
}

/** The Role/ClusterRole whose `rules` (key or value) contain the whole span, e.g. the cursor. */
export function roleWithRulesAt(objects: RbacObject[], span: Span): RbacObject | undefined {
  return objects.find((o) => {
    if (o.kind !== 'Role' && o.kind !== 'ClusterRole') return false;
    const key = o.keySpans?.get('/rules');
    const value = o.pointerSpans.get('/rules');
    return !!key && !!value && key.start <= span.start && span.end <= Math.max(key.end, value.end);
  });
}

/** Every written rule was understood (a malformed item is not in obj.rules, so equality there would mislead). */
function isComplete(obj: RbacObject): boolean {
  const rules = (obj.value as { rules?: unknown } | null)?.rules;
  return Array.isArray(rules) && rules.length === obj.rules.length;
}

/** Same atoms granted, however they are grouped into rules or ordered. */
export function sameGrants(a: PolicyRule[], b: PolicyRule[]): boolean {
  const x = atoms(a);
  const y = atoms(b);
  return x.size === y.size && [...x].every((k) => y.has(k));
}

function atoms(rules: PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    const names = r.resourceNames?.length ? r.resourceNames : [''];
    for (const verb of r.verbs) {
      for (const group of r.apiGroups ?? []) {
        for (const resource of r.resources ?? []) for (const name of names) out.add(JSON.stringify(['r', group, resource, name, verb]));
      }
      for (const url of r.nonResourceURLs ?? []) out.add(JSON.stringify(['u', url, verb]));
    }
  }
  return out;
}
