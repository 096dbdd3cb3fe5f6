/**
 * `*` in verbs, resources, apiGroups or nonResourceURLs, over every rule, on the exact item; and `*` in resourceNames,
 * which RBAC matches literally (an object named "*"), not as a wildcard.
 */
import type { Finding, LocatedRule, RbacObject, RuleField, RuleId } from '../model';
import { resourceItemMatches } from '../rbac/evaluate';
import { defaultSeverity } from './catalog';
import { virtualResourcesFor } from './roleScope';

/** The verbs a `*` most often stands for; the quick fix narrows further from the manifests. */
export const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** The risk rules a rule granting everything includes (reported once, on the rule). */
export const EVERYTHING_INCLUDES: RuleId[] = [
  'secrets-read', 'secrets-write', 'token-create', 'workload-create', 'pods-exec', 'escalate-verb', 'bind-verb', 'binding-write',
  'impersonate', 'nodes-proxy', 'csr-approve', 'webhook-config', 'network-policy-modify', 'pv-create', 'namespace-modify', 'status-modify',
  'admission-policy-write', 'apiservice-write', 'crd-write', 'configmap-write', 'nodes-write',
];

const WHAT: Record<'resources' | 'apiGroups' | 'nonResourceURLs', string> = {
  resources: 'grants every resource and subresource of the listed groups, including ones added later',
  apiGroups: 'matches every API group, including CRD groups installed later',
  nonResourceURLs: 'grants every non-resource URL (/metrics, /debug/pprof, /logs ...)',
};

export function isFullWildcard(rule: LocatedRule['rule']): boolean {
  return ['verbs', 'resources', 'apiGroups'].every((f) => (rule[f as RuleField] ?? []).includes('*'));
}

/** Authorization-only verbs (bind, impersonate, approve...) that apply to some resource the rule names. */
function specialVerbsOf(rule: LocatedRule['rule'], kind: RbacObject['kind']): string[] {
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const out = new Set<string>();
  for (const v of virtualResourcesFor(kind)) {
    if (!groups.includes('*') && !groups.includes(v.group)) continue;
    const reaches = resources.some((r) => resourceItemMatches(r, v.name, v.name.includes('/') ? v.name.slice(v.name.indexOf('/') + 1) : '') || (v.anySubresource === true && r.startsWith(`${v.name}/`)));
    if (reaches) for (const verb of v.verbs) if (!STANDARD_VERBS.includes(verb)) out.add(verb);
  }
  return [...out];
}

function verbsWhat(rule: LocatedRule['rule'], kind: RbacObject['kind']): string {
  if (!rule.resources?.length) return 'grants every verb, including verbs added later';
  const special = specialVerbsOf(rule, kind);
  return special.length ? `grants every verb, including ${special.join(', ')} and verbs added later` : 'grants every verb these resources support, and verbs added later';
}

function everything(obj: RbacObject): string {
  if (obj.kind === 'Role') {
    return "this rule grants every verb on every resource in every API group: full control of the Role's namespace (reading and writing its Secrets, workloads, exec, minting tokens, its Roles and RoleBindings)";
  }
  return 'this rule grants every verb on every resource in every API group: cluster-admin wherever it is bound (every Secret, exec, nodes/proxy, escalate, bind, impersonate, approving CSRs, admission webhooks)';
}

export function wildcardFindings(obj: RbacObject): Finding[] {
  const findings: Finding[] = [];
  const severity = defaultSeverity('wildcard');
  for (const located of obj.rules) {
    const rule = located.rule;
    if (isFullWildcard(rule)) {
      // One finding for the admin-equivalent rule: it includes every other risk, which are not repeated.
      findings.push({
        ruleId: 'wildcard',
        severity: 'error',
        message: everything(obj),
        span: located.span,
        documentIndex: obj.documentIndex,
        data: { ruleIndex: located.index, includes: EVERYTHING_INCLUDES },
      });
      continue;
    }
    for (const field of ['verbs', 'resources', 'apiGroups', 'nonResourceURLs', 'resourceNames'] as const) {
      const values = rule[field] ?? [];
      values.forEach((value, i) => {
        const star = value === '*';
        const subStar = field === 'resources' && value.startsWith('*/');
        if (!star && !subStar) return;
        const span = located.fields[field]?.items[i] ?? located.fields[field]?.span ?? located.span;
        findings.push({
          ruleId: 'wildcard',
          severity,
          message: wildcardMessage(rule, obj.kind, field, value, subStar),
          span,
          documentIndex: obj.documentIndex,
          data: { ruleIndex: located.index, field, value, ...(field === 'verbs' ? { replacement: STANDARD_VERBS } : {}) },
        });
      });
    }
  }
  return findings;
}

function wildcardMessage(rule: LocatedRule['rule'], kind: RbacObject['kind'], field: RuleField, value: string, subStar: boolean): string {
  if (subStar) return `resource "${value}" matches the ${value.slice(2)} subresource of every resource in the listed groups`;
  if (field === 'resourceNames') {
    return 'resourceNames "*" is not a wildcard: RBAC matches names literally, so this rule only reaches an object named "*" and probably grants nothing that was meant; drop resourceNames to cover every object, or list the names';
  }
  if (field === 'verbs') {
    const targets = rule.resources?.length ? rule.resources : (rule.nonResourceURLs ?? []);
    return `verbs "*" on ${targets.join(', ') || 'nothing'} ${verbsWhat(rule, kind)}`;
  }
  return `${field} "*" ${WHAT[field as keyof typeof WHAT]}`;
}
