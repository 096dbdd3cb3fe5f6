/** Risks of RoleBindings/ClusterRoleBindings and of role metadata (aggregation). */
import type { Finding, RbacObject, Span } from '../model';
import { escapePointer } from './pointer';
import { defaultSeverity } from './catalog';
import { clusterScopeMessage, type BindingContext } from './clusterScope';

const ANONYMOUS: Record<string, string> = {
  'system:anonymous': 'every unauthenticated request',
  'system:unauthenticated': 'every unauthenticated request',
  'system:authenticated': 'every authenticated identity, including every ServiceAccount of every namespace',
};

/** Bound by a RoleBinding, cluster-admin is everything inside that namespace only. */
const NAMESPACE_ADMIN = 'full control of the namespace: its Secrets, its Roles and RoleBindings, its workloads and every other namespaced resource';

const BROAD: Record<string, { severity: 'error' | 'warning'; what: string }> = {
  'cluster-admin': { severity: 'error', what: 'superuser access to the whole cluster' },
  admin: { severity: 'warning', what: 'reading Secrets, creating workloads, exec and managing RoleBindings' },
  edit: { severity: 'warning', what: 'reading Secrets, creating workloads and exec into pods' },
};

const AGGREGATE_LABEL = /^rbac\.authorization\.k8s\.io\/aggregate-to-(.+)$/;

export function bindingRiskFindings(obj: RbacObject, context: BindingContext = {}): Finding[] {
  if (obj.kind !== 'RoleBinding' && obj.kind !== 'ClusterRoleBinding') return [];
  const findings: Finding[] = [];
  const push = (f: Omit<Finding, 'documentIndex'>): void => {
    findings.push({ ...f, documentIndex: obj.documentIndex });
  };
  const ref = obj.roleRef;
  const saSubjects = obj.subjects.filter((s) => s.kind === 'ServiceAccount');

  if (obj.kind === 'ClusterRoleBinding') {
    push({
      ruleId: 'cluster-scope',
      ...clusterScopeMessage(obj, context),
      span: obj.kindSpan,
    });
  } else if (ref?.kind === 'ClusterRole' && saSubjects.length > 0) {
    push({
      ruleId: 'cluster-scope',
      severity: 'information',
      message: `ClusterRole "${ref.name}" is bound to ServiceAccount ${saSubjects.map((s) => `"${s.name}"`).join(', ')}; a namespaced Role keeps the pipeline's rights reviewable where they are used`,
      span: ref.fieldSpans.kind ?? ref.span,
    });
  }

  const broad = ref?.kind === 'ClusterRole' ? BROAD[ref.name] : undefined;
  if (ref && broad) {
    const scope = obj.kind === 'ClusterRoleBinding' ? 'cluster-wide' : `in namespace "${obj.namespace ?? '(default)'}"`;
    const what = obj.kind === 'RoleBinding' && ref.name === 'cluster-admin' ? NAMESPACE_ADMIN : broad.what;
    push({
      ruleId: 'broad-role-binding',
      severity: broad.severity,
      message: `binds ClusterRole "${ref.name}" ${scope}: ${what}`,
      span: ref.fieldSpans.name ?? ref.span,
      data: { value: ref.name },
    });
  }

  for (const s of obj.subjects) {
    const span = s.fieldSpans.name ?? s.span;
    if ((s.kind === 'Group' || s.kind === 'User') && ANONYMOUS[s.name]) {
      push({
        ruleId: 'anonymous-subject',
        severity: defaultSeverity('anonymous-subject'),
        message: `subject ${s.kind} "${s.name}" grants this role to ${ANONYMOUS[s.name]}`,
        span,
        data: { value: s.name },
      });
    }
    if (s.kind === 'Group' && s.name === 'system:masters') {
      push({
        ruleId: 'masters-subject',
        severity: defaultSeverity('masters-subject'),
        message: 'subject Group "system:masters": its members bypass RBAC entirely, so this binding grants them nothing; superuser rights come from that group, so who is in it (client certificates) is what matters',
        span,
        data: { value: s.name },
      });
    }
    if (s.kind === 'ServiceAccount' && s.name === 'default') {
      const ns = s.namespace ?? obj.namespace;
      push({
        ruleId: 'default-service-account',
        severity: defaultSeverity('default-service-account'),
        message: `binds the "default" ServiceAccount${ns ? ` of namespace "${ns}"` : ''}: every pod there that names no ServiceAccount gets these rights`,
        span,
        data: { value: s.name },
      });
    }
  }
  return findings;
}

export function aggregationFindings(obj: RbacObject): Finding[] {
  if (obj.kind !== 'ClusterRole') return [];
  const findings: Finding[] = [];
  const severity = defaultSeverity('aggregation');
  if (obj.aggregationRule) {
    findings.push({
      ruleId: 'aggregation',
      severity,
      message: `aggregationRule: the controller fills "${obj.name}" with the rules of every ClusterRole matching its ${obj.aggregationRule.selectorCount} selector(s), including ones created later`,
      span: obj.aggregationRule.span,
      documentIndex: obj.documentIndex,
    });
  }
  for (const [key, value] of Object.entries(obj.labels)) {
    const m = AGGREGATE_LABEL.exec(key);
    if (!m || value !== 'true') continue;
    findings.push({
      ruleId: 'aggregation',
      severity,
      message: `label ${key} adds these rules to ClusterRole "${m[1]}" and so to everyone bound to it`,
      span: labelSpan(obj, key),
      documentIndex: obj.documentIndex,
      data: { value: key },
    });
  }
  return findings;
}

function labelSpan(obj: RbacObject, key: string): Span {
  const ptr = `/metadata/labels/${escapePointer(key)}`;
  return obj.keySpans?.get(ptr) ?? obj.pointerSpans.get(ptr) ?? obj.nameSpan;
}
