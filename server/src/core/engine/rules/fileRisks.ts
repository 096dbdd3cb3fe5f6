/**
 * Risks over the objects of one file (a rendered chart or overlay is one file): what a role's binding and the
 * ServiceAccounts beside it change about its findings.
 * - Severity from scope: a ClusterRole bound cluster-wide by a ClusterRoleBinding of the same file reaches every
 *   namespace, so its warnings that hand out identities, Secrets or code execution become errors (a CI gate fails).
 * - cloud-identity: a ServiceAccount annotated for a cloud identity (EKS IRSA, GKE Workload Identity, Azure Workload
 *   Identity) that a role can take over (mint its token, run a pod as it, impersonate it) extends the role's reach to
 *   that cloud account.
 */
import type { Finding, RbacObject } from '../model';
import { defaultSeverity } from './catalog';
import { itemSpan, matchResourceItem } from './resourceRisks';
import type { Target } from './resourceRiskTable';

/** Warnings that are an error when the ClusterRole is bound cluster-wide (the table in docs/rules.md). */
export const CLUSTER_WIDE_ERRORS: ReadonlySet<Finding['ruleId']> = new Set<Finding['ruleId']>([
  'secrets-read', 'secrets-write', 'token-create', 'workload-create', 'pods-exec', 'impersonate', 'escalate-verb',
  'bind-verb', 'binding-write', 'nodes-proxy', 'csr-approve', 'webhook-config', 'admission-policy-write',
  'apiservice-write', 'configmap-write',
]);

const inside = (f: Finding, o: RbacObject): boolean => f.span.start >= o.span.start && f.span.end <= o.span.end;

/** Raises CLUSTER_WIDE_ERRORS findings at their default severity, of ClusterRoles bound by a ClusterRoleBinding among `objects`. */
export function scopeSeverities(findings: Finding[], objects: readonly RbacObject[]): Finding[] {
  const bindings = new Map<string, string>();
  for (const o of objects) {
    if (o.kind === 'ClusterRoleBinding' && o.roleRef?.kind === 'ClusterRole' && !bindings.has(o.roleRef.name)) bindings.set(o.roleRef.name, o.name);
  }
  const bound = objects.filter((o) => o.kind === 'ClusterRole' && bindings.has(o.name));
  if (!bound.length) return findings;
  return findings.map((f) => {
    // A finding the rule demoted (named objects, half of CSR approval, a minor verb) keeps its severity.
    if (!CLUSTER_WIDE_ERRORS.has(f.ruleId) || f.severity === 'error' || f.severity !== defaultSeverity(f.ruleId)) return f;
    const role = bound.find((o) => o.documentIndex === f.documentIndex && inside(f, o));
    if (!role) return f;
    return { ...f, severity: 'error', message: `${f.message} (bound cluster-wide by ClusterRoleBinding "${bindings.get(role.name)}")` };
  });
}

const CLOUD_ANNOTATIONS: Record<string, string> = {
  'eks.amazonaws.com/role-arn': 'AWS IAM role',
  'iam.gke.io/gcp-service-account': 'Google Cloud service account',
  'azure.workload.identity/client-id': 'Azure managed identity',
};

/** Grants that let the holder act as a ServiceAccount of the namespace. */
const TAKEOVER: { targets: Target[]; how: string }[] = [
  { targets: [{ group: '', resource: 'serviceaccounts', subresource: 'token', verbs: ['create'] }], how: 'mints its tokens' },
  { targets: [{ group: '', resource: 'serviceaccounts', verbs: ['impersonate'] }], how: 'impersonates it' },
  { targets: [{ group: '', resource: 'secrets', verbs: ['create'] }], how: 'creates a token Secret for it' },
  {
    targets: [
      { group: '', resource: 'pods', verbs: ['create'] },
      ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].map((r) => ({ group: 'apps', resource: r, verbs: ['create', 'update', 'patch'] })),
      ...['jobs', 'cronjobs'].map((r) => ({ group: 'batch', resource: r, verbs: ['create', 'update', 'patch'] })),
    ],
    how: 'runs a pod as it',
  },
];

export function cloudIdentityFindings(objects: readonly RbacObject[], defaultNamespace: string): Finding[] {
  const accounts = objects.flatMap((o) => {
    if (o.kind !== 'ServiceAccount') return [];
    const key = Object.keys(CLOUD_ANNOTATIONS).find((k) => o.annotations[k]);
    return key ? [{ name: o.name, namespace: o.namespace ?? defaultNamespace, key, value: o.annotations[key]! }] : [];
  });
  if (!accounts.length) return [];
  const findings: Finding[] = [];
  for (const role of objects) {
    if (role.kind !== 'Role' && role.kind !== 'ClusterRole') continue;
    const ns = role.kind === 'Role' ? (role.namespace ?? defaultNamespace) : undefined;
    for (const sa of accounts) {
      if (ns !== undefined && ns !== sa.namespace) continue;
      const hit = takeover(role, sa.name);
      if (!hit) continue;
      const where = ns === undefined ? ` where it is bound in namespace "${sa.namespace}" or cluster-wide` : '';
      findings.push({
        ruleId: 'cloud-identity',
        severity: defaultSeverity('cloud-identity'),
        message: `this ${role.kind} ${hit.how}${where}: ServiceAccount "${sa.name}" of namespace "${sa.namespace}" is annotated ${sa.key}: ${sa.value}, so its reach extends to that ${CLOUD_ANNOTATIONS[sa.key]} in the cloud account`,
        span: hit.span,
        documentIndex: role.documentIndex,
        data: { ruleIndex: hit.ruleIndex, value: sa.name },
      });
    }
  }
  return findings;
}

function takeover(role: RbacObject, saName: string): { how: string; span: Finding['span']; ruleIndex: number } | undefined {
  for (const t of TAKEOVER) {
    for (const located of role.rules) {
      const names = located.rule.resourceNames ?? [];
      // Named token or impersonation grants reach only the named accounts; a named create (pods, Secrets) reaches none.
      if (names.length && !(t.targets[0]!.resource === 'serviceaccounts' && names.includes(saName))) continue;
      const i = (located.rule.resources ?? []).findIndex((r) => matchResourceItem(t.targets, located.rule, r) !== undefined);
      if (i >= 0) return { how: t.how, span: itemSpan(located, 'resources', i), ruleIndex: located.index };
    }
  }
  return undefined;
}
