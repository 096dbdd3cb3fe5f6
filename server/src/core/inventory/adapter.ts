/**
 * API objects (from the cluster, not a file) as the engine's RbacObject, so the engine's risk rules run on them
 * unchanged. There is no source text: every span is empty, and findings are shown without positions.
 */
import type { LocatedRule, RbacObject, Span, Subject } from '../engine/model';
import type { ApiBinding, ApiRole } from './types';

const NO_SPAN: Span = { start: 0, end: 0 };
const NO_SPANS: ReadonlyMap<string, Span> = new Map();

function base(kind: RbacObject['kind'], metadata: ApiRole['metadata'], value: unknown): RbacObject {
  return {
    kind,
    apiVersion: kind === 'ServiceAccount' ? 'v1' : 'rbac.authorization.k8s.io/v1',
    name: metadata.name,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
    span: NO_SPAN,
    kindSpan: NO_SPAN,
    nameSpan: NO_SPAN,
    rules: [],
    subjects: [],
    value,
    pointerSpans: NO_SPANS,
    documentIndex: 0,
  };
}

export function roleToRbacObject(role: ApiRole): RbacObject {
  const obj = base(role.kind, role.metadata, role);
  obj.rules = (role.rules ?? []).map(
    (rule, index): LocatedRule => ({ index, rule: { ...rule, verbs: rule.verbs ?? [] }, span: NO_SPAN, fields: {} }),
  );
  obj.rulesKeySpan = NO_SPAN;
  if (role.aggregationRule) obj.aggregationRule = { span: NO_SPAN, selectorCount: role.aggregationRule.clusterRoleSelectors?.length ?? 0 };
  return obj;
}

export function bindingToRbacObject(binding: ApiBinding): RbacObject {
  const obj = base(binding.kind, binding.metadata, binding);
  obj.roleRef = {
    apiGroup: binding.roleRef.apiGroup ?? '',
    kind: binding.roleRef.kind,
    name: binding.roleRef.name,
    span: NO_SPAN,
    fieldSpans: {},
  };
  obj.subjects = (binding.subjects ?? []).map(
    (s): Subject => ({
      kind: s.kind,
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(s.apiGroup !== undefined ? { apiGroup: s.apiGroup } : {}),
      span: NO_SPAN,
      fieldSpans: {},
    }),
  );
  return obj;
}
