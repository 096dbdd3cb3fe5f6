/** `*` in verbs, resources, apiGroups or nonResourceURLs, over every rule, on the exact item. */
import type { Finding, LocatedRule, RbacObject, RuleField } from '../model';
import { defaultSeverity } from './catalog';

/** The verbs a `*` most often stands for; the quick fix narrows further from the manifests. */
export const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

const WHAT: Record<'verbs' | 'resources' | 'apiGroups' | 'nonResourceURLs', string> = {
  verbs: 'grants every verb, including escalate, bind, impersonate and verbs added later',
  resources: 'grants every resource and subresource of the listed groups, including ones added later',
  apiGroups: 'matches every API group, including CRD groups installed later',
  nonResourceURLs: 'grants every non-resource URL (/metrics, /debug/pprof, /logs ...)',
};

function isFullWildcard(rule: LocatedRule['rule']): boolean {
  return ['verbs', 'resources', 'apiGroups'].every((f) => (rule[f as RuleField] ?? []).includes('*'));
}

export function wildcardFindings(obj: RbacObject): Finding[] {
  const findings: Finding[] = [];
  const severity = defaultSeverity('wildcard');
  for (const located of obj.rules) {
    const rule = located.rule;
    if (isFullWildcard(rule)) {
      // One finding for the admin-equivalent rule rather than three.
      findings.push({
        ruleId: 'wildcard',
        severity: 'error',
        message: `this rule grants every verb on every resource in every API group: cluster-admin in this ${obj.kind}'s scope`,
        span: located.span,
        documentIndex: obj.documentIndex,
        data: { ruleIndex: located.index },
      });
      continue;
    }
    for (const field of ['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const) {
      const values = rule[field] ?? [];
      values.forEach((value, i) => {
        const star = value === '*';
        const subStar = field === 'resources' && value.startsWith('*/');
        if (!star && !subStar) return;
        const targets = rule.resources?.length ? rule.resources : (rule.nonResourceURLs ?? []);
        const context = field === 'verbs' ? ` on ${targets.join(', ') || 'nothing'}` : '';
        const message = subStar
          ? `resource "${value}" matches the ${value.slice(2)} subresource of every resource in the listed groups`
          : `${field} "*"${context} ${WHAT[field]}`;
        const span = located.fields[field]?.items[i] ?? located.fields[field]?.span ?? located.span;
        findings.push({
          ruleId: 'wildcard',
          severity,
          message,
          span,
          documentIndex: obj.documentIndex,
          data: { ruleIndex: located.index, field, value, ...(field === 'verbs' ? { replacement: STANDARD_VERBS } : {}) },
        });
      });
    }
  }
  return findings;
}
