/**
 * Shapes of what the identities view reads from the cluster (only the fields it uses) and of what it shows.
 * Everything here is plain JSON: the CLI prints the model as is, and no type has room for token data.
 */
import type { PolicyRule, RuleId, Severity } from '../engine/model';
import type { LiveErrorKind } from '../live/liveError';

// ---------------------------------------------------------------- what the cluster returns

export interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A ServiceAccount or a Secret as PartialObjectMetadata: metadata only, never data. */
export interface MetaObject {
  metadata: Meta;
}

/** A token Secret's metadata plus its type (known from the field selector it was listed with). */
export interface TokenSecretMeta {
  metadata: Meta;
  /** The list it came from: legacy `kubernetes.io/service-account-token` type, or our TokenRequest-bound Secret. */
  source: 'legacy-type' | 'bound-label';
}

export interface ApiSubject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface ApiBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  metadata: Meta;
  roleRef: { apiGroup?: string; kind: string; name: string };
  subjects?: ApiSubject[];
}

export interface ApiRole {
  kind: 'Role' | 'ClusterRole';
  metadata: Meta;
  rules?: PolicyRule[];
  aggregationRule?: { clusterRoleSelectors?: unknown[] };
}

/** Why something could not be read: shown on the node it belongs to, never breaks the rest. */
export interface Problem {
  /** What was being listed, e.g. "rolebindings". */
  resource: string;
  /** The namespace it concerns; absent for cluster-scoped lists. */
  namespace?: string;
  kind: LiveErrorKind;
  message: string;
}

/** Where a namespaced resource type could be read from. */
export type Coverage = 'cluster' | 'namespaces';

/** Everything fetched for one model build; the input of the pure model builder. */
export interface Snapshot {
  /** True when every namespaced list succeeded cluster-wide. */
  clusterWide: boolean;
  /** The namespaces in scope, in order (listed, given, or discovered from binding subjects). */
  namespaces: string[];
  /** Namespaces that exist according to a namespace list (absent when it could not be listed). */
  knownNamespaces?: string[];
  serviceAccounts: MetaObject[];
  tokenSecrets: TokenSecretMeta[];
  roleBindings: ApiBinding[];
  clusterRoleBindings: ApiBinding[];
  roles: ApiRole[];
  clusterRoles: ApiRole[];
  /**
   * Which (resource, namespace) lists succeeded: key `${resource}/${namespace}`, or `${resource}/*` for a
   * cluster-wide list. A resource missing for a namespace means "not readable there", not "none".
   */
  readable: string[];
  problems: Problem[];
  stats: FetchStats;
}

export interface FetchStats {
  /** HTTP list requests made (each page counts). */
  listRequests: number;
  /** Other requests (whoami). */
  otherRequests: number;
  fetchMs: number;
}

// ---------------------------------------------------------------- what the view shows

/** An engine finding without source positions (the objects come from the cluster, not a file). */
export interface FindingInfo {
  ruleId: RuleId;
  severity: Severity;
  message: string;
}

export type FactId =
  | 'token-expired'
  | 'token-expiring-soon'
  | 'token-unused'
  | 'token-legacy'
  | 'token-shortened'
  | 'no-token'
  | 'no-bindings'
  | 'role-missing'
  | 'role-unreadable'
  | 'not-readable'
  | 'service-account-missing';

/** A fact about an identity or a binding that is not an engine rule (token health, what could not be read). */
export interface Fact {
  id: FactId;
  severity: Severity;
  message: string;
}

export interface RuleNode {
  index: number;
  rule: PolicyRule;
  /** `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`, the apiserver's compact form. */
  text: string;
  findings: FindingInfo[];
  severity?: Severity;
}

export interface RoleNode {
  kind: 'Role' | 'ClusterRole';
  name: string;
  namespace?: string;
  /** ok: rules known; missing: the list succeeded and has no such role; unreadable: the list was forbidden. */
  state: 'ok' | 'missing' | 'unreadable';
  aggregated: boolean;
  rules: RuleNode[];
  /** Findings about the role as a whole (aggregation, ...). */
  findings: FindingInfo[];
  severity?: Severity;
}

export interface BindingNode {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace?: string;
  /** direct: the identity is a subject; group: through a group it is in (system:serviceaccounts...). */
  via: 'direct' | 'group';
  group?: string;
  /** Made by pipeline-rbac (app.kubernetes.io/managed-by=pipeline-rbac). */
  ours: boolean;
  role: RoleNode;
  findings: FindingInfo[];
  facts: Fact[];
  severity?: Severity;
}

export type TokenKind = 'token-request' | 'legacy-secret';

export interface TokenInfo {
  kind: TokenKind;
  /** secret: learned from a token Secret's metadata; annotation: from the ServiceAccount's annotations only. */
  source: 'secret' | 'annotation';
  secretName?: string;
  createdAt?: string;
  ageSeconds?: number;
  expiresAt?: string;
  /** Negative once expired. */
  expiresInSeconds?: number;
  /** `kubernetes.io/legacy-token-last-used` (a date). */
  lastUsed?: string;
  lastUsedSecondsAgo?: number;
  expired: boolean;
  expiringSoon: boolean;
  unused: boolean;
}

export interface IdentityAnnotations {
  createdBy?: string;
  createdAt?: string;
  pipeline?: string;
  exportedTo?: string;
  exportTarget?: string;
  tokenKind?: string;
  tokenExpires?: string;
  tokenSecret?: string;
  lastRotated?: string;
}

export type IdentityReason = 'labelled' | 'keyless-binding' | 'binding' | 'token-secret';

export interface IdentityNode {
  /** Stable key: "ServiceAccount:ns/name", "User:name", "Group:name". */
  id: string;
  kind: 'ServiceAccount' | 'User' | 'Group';
  name: string;
  /** Home namespace (ServiceAccount), or the namespace of the keyless binding; absent for cluster-wide subjects. */
  namespace?: string;
  /** Why it is an identity. 'labelled' and 'keyless-binding' are pipeline identities; the others show with "all". */
  reasons: IdentityReason[];
  /** ServiceAccount only: true/false, or null when its namespace's ServiceAccounts could not be listed. */
  exists: boolean | null;
  labelled: boolean | null;
  createdAt?: string;
  annotations: IdentityAnnotations;
  tokens: TokenInfo[];
  /** Keyless identities: the CI OIDC subject bound, and the issuer recorded on the binding (absent when not recorded). */
  oidc?: { subject: string; issuer?: string };
  bindings: BindingNode[];
  facts: Fact[];
  /** Worst severity over its facts and everything below it. */
  severity?: Severity;
  flags: { expiringSoon: boolean; expired: boolean; unused: boolean };
}

export interface NamespaceNode {
  name: string;
  identities: IdentityNode[];
  problems: Problem[];
  /** False when its ServiceAccounts could not be listed (a 403 shown on the node). */
  readable: boolean;
}

export interface IdentitiesModel {
  context: string;
  server: string;
  user?: string;
  generatedAt: string;
  /** cluster: listed cluster-wide; namespaces: per namespace (asked for, or the fallback after a 403). */
  scope: Coverage;
  /** Unlabelled ServiceAccounts with a binding or token Secret are included. */
  allServiceAccounts: boolean;
  namespaces: NamespaceNode[];
  /** Identities bound only cluster-wide (ClusterRoleBinding of a keyless User/Group). */
  cluster: IdentityNode[];
  /** Problems with cluster-scoped lists (clusterroles, clusterrolebindings, namespaces). */
  problems: Problem[];
  stats: FetchStats & { buildMs: number; identities: number };
}
