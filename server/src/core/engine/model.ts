/**
 * The data model shared by every part of the pure RBAC engine.
 * Positions are UTF-16 offsets into the source text (what the `yaml` package and JS strings use);
 * the LSP and CLI layers turn them into line/character with a LineIndex.
 */

/** Half-open [start, end) range of UTF-16 offsets into the document text. */
export interface Span {
  start: number;
  end: number;
}

/** A Kubernetes PolicyRule as the apiserver sees it (rbac.authorization.k8s.io/v1). */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export type RuleField = 'verbs' | 'apiGroups' | 'resources' | 'resourceNames' | 'nonResourceURLs';

/** Where a list field of a rule sits in the source, and where each of its items sits. */
export interface ListLocation {
  /** The whole value node (the sequence, or the scalar if someone wrote a scalar). */
  span: Span;
  /** The key node (`verbs:`), for diagnostics about the field itself. */
  keySpan: Span;
  /** One span per sequence item, aligned with the values in the PolicyRule. */
  items: Span[];
}

/** A rule of a Role/ClusterRole with its source locations. */
export interface LocatedRule {
  /** Index in the `rules` array. */
  index: number;
  rule: PolicyRule;
  /** The whole rule mapping. */
  span: Span;
  fields: Partial<Record<RuleField, ListLocation>>;
}

export type RbacKind = 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding' | 'ServiceAccount';

export const RBAC_KINDS: readonly RbacKind[] = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'];

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
  span: Span;
  /** Span of each present field's value, for precise diagnostics. */
  fieldSpans: Partial<Record<'apiGroup' | 'kind' | 'name', Span>>;
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
  span: Span;
  fieldSpans: Partial<Record<'kind' | 'name' | 'namespace' | 'apiGroup', Span>>;
}

/** One RBAC object found in a file (a YAML document, or an item of a `kind: List`). */
export interface RbacObject {
  kind: RbacKind;
  apiVersion: string;
  name: string;
  /** metadata.namespace as written; undefined when absent. */
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The whole object node. */
  span: Span;
  /** The `kind:` value node. */
  kindSpan: Span;
  /** metadata.name value node, or the kind span when missing. */
  nameSpan: Span;
  /** Role/ClusterRole only. */
  rules: LocatedRule[];
  /** ClusterRole only: `aggregationRule` node, if present. */
  aggregationRule?: { span: Span; selectorCount: number };
  /** Span of `rules:` key, or of the kind when absent, for "the role as a whole" findings. */
  rulesKeySpan?: Span;
  /** RoleBinding/ClusterRoleBinding only. */
  roleRef?: RoleRef;
  subjects: Subject[];
  /** The plain JS value of the object (what JSON.parse would give), for schema validation. */
  value: unknown;
  /** Offsets of every node by JSON pointer ("/rules/0/verbs/1"), for mapping schema errors to source. */
  pointerSpans: ReadonlyMap<string, Span>;
  /** Key node of every mapping entry, by the JSON pointer of its value ("/rules/0/verbs" -> the `verbs` key). */
  keySpans?: ReadonlyMap<string, Span>;
  /** Index of the YAML document in the file. */
  documentIndex: number;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Stable rule ids: the diagnostic code, the SARIF ruleId, what users disable. */
export type RuleId =
  | 'not-held'
  | 'binding-not-held'
  | 'yaml-syntax'
  | 'schema'
  | 'unknown-api-group'
  | 'unknown-resource'
  | 'unknown-verb'
  | 'wildcard'
  | 'secrets-read'
  | 'token-create'
  | 'workload-create'
  | 'pods-exec'
  | 'escalate-verb'
  | 'bind-verb'
  | 'impersonate'
  | 'nodes-proxy'
  | 'csr-approve'
  | 'webhook-config'
  | 'pv-create'
  | 'namespace-modify'
  | 'status-modify'
  | 'binding-write'
  | 'secrets-write'
  | 'network-policy-modify'
  | 'aggregation'
  | 'cluster-scope'
  | 'broad-role-binding'
  | 'anonymous-subject'
  | 'default-service-account'
  | 'masters-subject'
  | 'helm-template'
  | 'unused-permission'
  | 'missing-permission'
  | 'render-error';

/** One problem found in a file. */
export interface Finding {
  ruleId: RuleId;
  severity: Severity;
  /** One line naming the exact verb/resource. */
  message: string;
  span: Span;
  /** Index of the YAML document, when the finding belongs to one. */
  documentIndex?: number;
  /** Extra machine-readable facts for quick fixes and hovers (e.g. the missing atoms). */
  data?: FindingData;
  /**
   * What the finding is about without where it is written (rule, object, normalised grant: findingKey.ts), set only
   * by callers that fingerprint findings (baseline, Code Quality). Carried along when findings move to template lines.
   */
  fingerprintKey?: string;
}

export interface FindingData {
  /** Atoms the applier does not hold (not-held). */
  missing?: PolicyRule[];
  /** Rule index inside the object (for rule-level findings). */
  ruleIndex?: number;
  /** The offending field/item, e.g. the verb that is risky. */
  field?: RuleField;
  value?: string;
  /** Suggested replacement values for a wildcard, when known. */
  replacement?: string[];
  /** Risk rules a finding already covers (a rule granting everything includes every risk of the catalogue). */
  includes?: RuleId[];
  /** On the one finding that stands for a rule's findings left out over the per-file cap: how many. */
  omitted?: number;
}
