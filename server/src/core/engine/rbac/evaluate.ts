/**
 * How the RBAC authorizer matches one request against one rule: a port of pkg/apis/rbac/v1/evaluation_helpers.go and
 * RuleAllows in plugin/pkg/auth/authorizer/rbac/rbac.go. Used to decide whether held rules grant `escalate`/`bind`
 * (the authorizer-based bypasses of the escalation check) and by the risk rules to match concrete requests.
 */
import type { PolicyRule } from '../model';

export interface ResourceRequest {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  /** Object name; '' for create, list without a name selector, and deletecollection. */
  name?: string;
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return (rule.verbs ?? []).some((v) => v === '*' || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === '*' || g === group);
}

/** One rule resource string against a request: `*`, exact `resource[/sub]`, or `*\/sub`. */
export function resourceItemMatches(ruleResource: string, combined: string, subresource: string): boolean {
  if (ruleResource === '*' || ruleResource === combined) return true;
  if (subresource.length === 0) return false;
  return ruleResource.length === subresource.length + 2 && ruleResource.startsWith('*/') && ruleResource.endsWith(subresource);
}

export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return (rule.resources ?? []).some((r) => resourceItemMatches(r, combined, subresource));
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function ruleAllows(rule: PolicyRule, req: ResourceRequest): boolean {
  const sub = req.subresource ?? '';
  const combined = sub ? `${req.resource}/${sub}` : req.resource;
  return (
    verbMatches(rule, req.verb) &&
    apiGroupMatches(rule, req.apiGroup) &&
    resourceMatches(rule, combined, sub) &&
    resourceNameMatches(rule, req.name ?? '')
  );
}

export function rulesAllow(rules: readonly PolicyRule[], req: ResourceRequest): boolean {
  return rules.some((r) => ruleAllows(r, req));
}
