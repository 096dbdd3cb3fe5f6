/**
 * The shapes of reach: the universe it is computed over (plain data, from the cluster's inventory or the workspace's
 * own RBAC files), the identities it moves between, and the result the CLI prints as JSON.
 */
import type { PolicyRule } from '../engine/model';
import type { LabelSelector } from '../engine/rbac/aggregate';

export interface UniverseSubject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface UniverseRole {
  kind: 'Role' | 'ClusterRole';
  name: string;
  /** Role only. */
  namespace?: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  /** ClusterRole only: the label selectors of its aggregationRule (rules are then filled from the matching roles). */
  aggregationSelectors?: LabelSelector[];
}

export interface UniverseBinding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** RoleBinding only. */
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: UniverseSubject[];
}

export interface UniversePod {
  namespace: string;
  name: string;
  serviceAccount: string;
  node?: string;
}

/** Everything reach looks at. What was not visible is said in `notVisible`, never guessed. */
export interface Universe {
  namespaces: string[];
  serviceAccounts: { namespace: string; name: string }[];
  /** Legacy `kubernetes.io/service-account-token` Secrets: which ServiceAccount each one holds the token of. */
  tokenSecrets: { namespace: string; name: string; serviceAccount: string }[];
  /** Pods where they were listed; namespaces in `podNamespaces` (or every namespace with `podsEverywhere`) are complete. */
  pods?: UniversePod[];
  podNamespaces?: string[];
  podsEverywhere?: boolean;
  roles: UniverseRole[];
  bindings: UniverseBinding[];
  /** What could not be read, each one sentence ("rolebindings in team-b: forbidden"); reach is then not complete. */
  notVisible: string[];
}

/** Who acts. `RoleHolder` is "whoever would hold this Role" (in `namespace`, or cluster-wide when absent). */
export type Identity =
  | { kind: 'ServiceAccount'; namespace: string; name: string }
  | { kind: 'User'; name: string; groups?: string[] }
  | { kind: 'Group'; name: string }
  | { kind: 'RoleHolder'; roleKind: 'Role' | 'ClusterRole'; name: string; namespace?: string }
  | { kind: 'AnythingIn'; namespace: string }
  | { kind: 'ClusterAdmin' };

/** One step of a path, as the JSON shows it. `rule` and `binding` name what allows it (several joined by " + "). */
export interface ViaStep {
  step: string;
  namespace: string;
  rule: string;
  binding: string;
}

export interface ReachEntry {
  subject: string;
  via: ViaStep[];
  gains: string[];
  /** `proven`, the apiserver's refusal, or why it was not checked. */
  proof: string;
}

export interface ReachResult {
  identity: string;
  complete: boolean;
  notVisible: string[];
  reaches: ReachEntry[];
  reachableBy: { subject: string; via: ViaStep[] }[];
}
