/**
 * The apiserver's validation rules that a JSON schema cannot express, after Kubernetes'
 * pkg/apis/rbac/validation/validation.go (ValidatePolicyRule, ValidateRoleBindingSubject, ValidateClusterRole)
 * and the v1 defaulting in pkg/apis/rbac/v1/defaults.go (empty roleRef.apiGroup and User/Group subject apiGroup
 * become rbac.authorization.k8s.io, so leaving them out is accepted).
 */
import type { Finding, RbacObject, Severity, Span } from '../model';
import { firstKeySpan } from './spans';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function semanticFindings(obj: RbacObject): Finding[] {
  const out: Finding[] = [];
  const add = (message: string, span: Span, severity: Severity = 'error', ruleIndex?: number): void => {
    const f: Finding = { ruleId: 'schema', severity, message, span, documentIndex: obj.documentIndex };
    if (ruleIndex !== undefined) f.data = { ruleIndex };
    out.push(f);
  };
  const v = isRecord(obj.value) ? obj.value : {};

  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    const namespaced = obj.kind === 'Role';
    for (const r of obj.rules) {
      const base = `/rules/${r.index}`;
      const raw = isRecord((v.rules as unknown[] | undefined)?.[r.index]) ? ((v.rules as unknown[])[r.index] as Record<string, unknown>) : {};
      // A scalar where a list belongs is a type error reported by the schema; count it as present here.
      const len = (f: string): number => (Array.isArray(raw[f]) ? (raw[f] as unknown[]).length : raw[f] === null || raw[f] === undefined ? 0 : 1);
      const at = (f: string): Span => r.fields[f as keyof typeof r.fields]?.keySpan ?? firstKeySpan(obj, base) ?? r.span;
      const name = `rules[${r.index}]`;
      // ValidatePolicyRule: a non-resource rule is checked on its own and returns early.
      if (len('nonResourceURLs') > 0) {
        if (namespaced) {
          add(`${name}.nonResourceURLs: a Role is namespaced and cannot grant non-resource URLs; use a ClusterRole bound by a ClusterRoleBinding`, at('nonResourceURLs'), 'error', r.index);
        }
        const mixed = ['apiGroups', 'resources', 'resourceNames'].filter((f) => len(f) > 0);
        if (mixed.length) {
          add(`${name}: a rule cannot apply to both regular resources (${mixed.join(', ')}) and non-resource URLs; split it into two rules`, at('nonResourceURLs'), 'error', r.index);
        }
        continue;
      }
      if (len('apiGroups') === 0) {
        add(`${name}.apiGroups: resource rules must supply at least one API group (use [""] for the core group: pods, secrets, configmaps...)`, at('apiGroups'), 'error', r.index);
      }
      if (len('resources') === 0) {
        add(`${name}.resources: resource rules must supply at least one resource`, at('resources'), 'error', r.index);
      }
    }
  }

  if (obj.kind === 'ClusterRole' || obj.kind === 'ClusterRoleBinding') {
    const meta = isRecord(v.metadata) ? v.metadata : {};
    if (typeof meta.namespace === 'string' && meta.namespace !== '') {
      add(`metadata.namespace: ignored, a ${obj.kind} is cluster-scoped (the apiserver drops the namespace)`, obj.pointerSpans.get('/metadata/namespace') ?? obj.kindSpan, 'information');
    }
  }

  if (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') {
    const clusterScoped = obj.kind === 'ClusterRoleBinding';
    const subjects = Array.isArray(v.subjects) ? v.subjects : [];
    subjects.forEach((s, i) => {
      if (!isRecord(s)) return;
      const p = `/subjects/${i}`;
      const name = `subjects[${i}]`;
      const field = (f: string): Span => obj.pointerSpans.get(`${p}/${f}`) ?? firstKeySpan(obj, p) ?? obj.pointerSpans.get(p) ?? obj.kindSpan;
      const apiGroup = typeof s.apiGroup === 'string' ? s.apiGroup : '';
      switch (s.kind) {
        case 'ServiceAccount':
          if (typeof s.name === 'string' && s.name !== '' && (s.name.length > 253 || !DNS1123_SUBDOMAIN.test(s.name))) {
            add(`${name}.name: "${s.name}" is not a valid ServiceAccount name (a DNS subdomain: lower-case letters, digits, "-" and ".")`, field('name'));
          }
          if (apiGroup !== '') add(`${name}.apiGroup: must be empty for a ServiceAccount subject, not "${apiGroup}"`, field('apiGroup'));
          if (clusterScoped && (typeof s.namespace !== 'string' || s.namespace === '')) {
            add(`${name}.namespace: required for a ServiceAccount subject of a ClusterRoleBinding`, obj.pointerSpans.get(`${p}/namespace`) ?? firstKeySpan(obj, p) ?? field('name'));
          }
          break;
        case 'User':
        case 'Group':
          if (apiGroup !== '' && apiGroup !== RBAC_GROUP) {
            add(`${name}.apiGroup: must be "${RBAC_GROUP}" for a ${s.kind} subject, not "${apiGroup}"`, field('apiGroup'));
          }
          break;
        default:
          break; // other kinds: reported by the schema's enum
      }
    });
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
