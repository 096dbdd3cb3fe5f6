/**
 * Catalogue entries of the rules on what reaches beyond RBAC itself: admission policy, aggregated APIs, CRDs,
 * kube-system ConfigMaps (aws-auth), node writes, cloud identities, and what a namespaced Role cannot grant.
 */
import type { RuleId } from '../model';
import type { Entry } from './catalog';
import { GP, RBAC } from './docsLinks';

type Id = Extract<RuleId, 'admission-policy-write' | 'apiservice-write' | 'crd-write' | 'configmap-write' | 'nodes-write' | 'cloud-identity' | 'cluster-scoped-in-role'>;

export const CONTROL_PLANE_ENTRIES: Record<Id, Entry> = {
  'admission-policy-write': {
    defaultSeverity: 'warning',
    title: 'Controls admission policies',
    description:
      'Whoever can create, change or delete ValidatingAdmissionPolicies, MutatingAdmissionPolicies or their bindings decides what in-process admission enforces: deleting a policy or its binding (or switching a binding to `Warn`/`Audit`) lifts a guardrail such as "no privileged pods", and a mutating policy rewrites every object it matches. The same risk as `webhook-config` for the CEL policies that replace webhooks. The peers have no rule for it yet.',
    fix: 'Remove write verbs on these resources from pipeline roles; have administrators manage admission policy.',
    docs: 'https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/',
    references: {},
  },
  'apiservice-write': {
    defaultSeverity: 'warning',
    title: 'Writes APIServices',
    description:
      'An APIService tells the apiserver which Service serves an aggregated API group (metrics.k8s.io, custom.metrics.k8s.io...) and which CA to trust for it. Whoever can create or patch one redirects that group\'s requests, with the caller\'s user and groups in the proxy headers, to a service of its choosing, and answers them; deleting one makes the group unavailable (the HPA loses its metrics). The peers have no rule for it.',
    fix: 'Remove write verbs on apiservices (apiregistration.k8s.io) from pipeline roles; register aggregated APIs with an administrator-applied release.',
    docs: 'https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/apiserver-aggregation/',
    references: {},
  },
  'crd-write': {
    defaultSeverity: 'warning',
    title: 'Writes CustomResourceDefinitions',
    description:
      'Whoever can create, change or delete CustomResourceDefinitions can set a conversion webhook, which receives every object of the CRD (including ones other teams keep secrets or policies in), change its schema, or delete the CRD, which deletes every object of it in every namespace. The peers have no rule for it.',
    fix: 'Install CRDs with an administrator-applied release (helm `crds/`, a platform pipeline); keep the pipeline to the custom resources themselves.',
    docs: 'https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/',
    references: {},
  },
  'configmap-write': {
    defaultSeverity: 'warning',
    title: 'Writes ConfigMaps cluster-wide or in kube-system',
    description:
      '`create`, `update` or `patch` on ConfigMaps in a ClusterRole (wherever it is bound, kube-system included) or in a Role of kube-system. On EKS, `kube-system/aws-auth` maps IAM roles and users to Kubernetes users and groups, so writing it maps an IAM identity the holder controls to `system:masters`; other kube-system ConfigMaps configure cluster components (CoreDNS, kube-proxy). A rule limited by resourceNames that do not include aws-auth is not reported. Same intent as rbac-police `eks_modify_aws_auth` (which looks at update and patch on EKS clusters only).',
    fix: 'Limit ConfigMap writes to a Role in the pipeline\'s namespace; on EKS, use access entries instead of aws-auth.',
    docs: 'https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html',
    references: { rbacPolice: ['eks_modify_aws_auth'] },
  },
  'nodes-write': {
    defaultSeverity: 'warning',
    title: 'Updates or patches nodes',
    description:
      '`update` or `patch` on nodes relabels, taints or cordons them: workloads with node selectors, affinities or tolerations then land on a node of the holder\'s choosing (a compromised one), or are kept off the others. With `create` on `pods/eviction` in the same role, the holder also evicts pods so that they reschedule there: rbac-police\'s "steal pods" (which uses delete or evict on pods in privileged namespaces with making nodes unschedulable). Nodes are cluster-scoped, so only a ClusterRole can grant this.',
    fix: 'Remove update/patch on nodes; leave node labels and taints to administrators and the node lifecycle controllers.',
    docs: `${GP}#privilege-escalation-risks`,
    references: { rbacPolice: ['steal_pods', 'modify_node_status'] },
  },
  'cloud-identity': {
    defaultSeverity: 'information',
    title: 'Takes over a ServiceAccount with a cloud identity',
    description:
      'A ServiceAccount annotated `eks.amazonaws.com/role-arn` (EKS IRSA), `iam.gke.io/gcp-service-account` (GKE Workload Identity) or `azure.workload.identity/client-id` (Azure Workload Identity) exchanges its token for cloud credentials. A role that can mint its token (`serviceaccounts/token`), impersonate it, create a token Secret, or run a pod as it (create pods or workloads in its namespace) reaches that cloud identity too. Reported for the ServiceAccounts in the same file (a chart\'s or overlay\'s rendered objects). Same intent as rbac-police `providerIAM`, which lists every such ServiceAccount.',
    fix: 'Keep cloud-identity ServiceAccounts out of namespaces the pipeline may create pods or tokens in, or give the pipeline a Role that cannot act as them.',
    docs: 'https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html',
    references: { rbacPolice: ['providerIAM'] },
  },
  'cluster-scoped-in-role': {
    defaultSeverity: 'information',
    title: 'Cluster-scoped resource in a namespaced Role',
    description:
      'A Role is granted by a RoleBinding for requests in its namespace only, and requests for cluster-scoped resources (nodes and their subresources, persistentvolumes, certificatesigningrequests, webhook configurations, clusterroles, storageclasses...) carry no namespace, so such a grant gives nothing. The Role\'s own Namespace object is the exception (namespaces/<name> is authorised in namespace <name>). The risk rules look at a Role only for what it can grant: a Role with `resources: ["*"]` gets no nodes-proxy, pv-create or csr-approve finding. A ClusterRole bound by a RoleBinding is limited the same way there, but may be bound cluster-wide elsewhere, so its findings stay. Narrower by design than the peer checks that report these grants in a Role: Checkov CKV2_K8S_2, Trivy KSV-0043, KSV-0047, KSV-0051, KSV-0052 and KSV-0114, Kubescape C-0191, C-0278, C-0279, C-0280 and C-0281.',
    fix: 'Remove the grant, or move it to a ClusterRole bound by a ClusterRoleBinding if the pipeline really needs it.',
    docs: `${RBAC}#role-and-clusterrole`,
    references: {},
  },
};
