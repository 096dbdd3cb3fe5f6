/**
 * Metadata of every rule id: default severity, why it matters, how to fix it, the Kubernetes docs section, and the ids
 * other checkers use for the same pattern. The diagnostics' code descriptions, SARIF `tool.driver.rules` and
 * docs/rules.md (scripts/gen-rules-doc.ts) all come from here.
 */
import type { RuleId, Severity } from '../model';
import { CONTROL_PLANE_ENTRIES } from './catalogControlPlane';
import { GP, RBAC } from './docsLinks';
import { EXAMPLES } from './examples';

export interface RuleReferences {
  kubescape?: string[];
  checkov?: string[];
  trivy?: string[];
  kubelinter?: string[];
  rbacPolice?: string[];
  kubehound?: string[];
}

export interface RuleMeta {
  id: RuleId;
  defaultSeverity: Severity;
  title: string;
  /** Why it matters. */
  description: string;
  fix: string;
  /** A kubernetes.io docs section. */
  docs: string;
  references: RuleReferences;
  /** YAML that triggers the rule (docs and tests). */
  example: string;
}


export type Entry = Omit<RuleMeta, 'id' | 'example'>;

const ENTRIES: Record<RuleId, Entry> = {
  'not-held': {
    defaultSeverity: 'error',
    title: 'Grants permissions the applier does not hold',
    description:
      'The apiserver only lets you create or update a Role or ClusterRole whose every permission you already hold (or when you may `escalate` roles). This rule breaks each rule down into verb x apiGroup x resource (x resourceName) atoms exactly as Kubernetes does, compares them with your own rules (live from the cluster or from `--held-rules`), and predicts the Forbidden error `attempting to grant RBAC permissions not currently held`. A ClusterRole with an aggregationRule additionally needs full cluster-admin authority. When the cluster reports an incomplete rule list (webhook authorizers), the result is unknown and only a hint is shown.',
    fix: 'Remove the listed verbs/resources from the rule, or have a cluster administrator apply the file (or grant you those permissions first). Granting `escalate` to get around it is itself a finding (escalate-verb).',
    docs: `${RBAC}#restrictions-on-role-creation-or-update`,
    references: {},
  },
  'binding-not-held': {
    defaultSeverity: 'error',
    title: 'Binds a role the applier could not bind',
    description:
      'Creating a RoleBinding or ClusterRoleBinding is allowed only if you hold every permission of the referenced role in the binding\'s namespace (cluster-wide for a ClusterRoleBinding), or you may `bind` that role. Otherwise the apiserver rejects the binding with `attempting to grant RBAC permissions not currently held`. If the referenced role is not in the files or the cluster data, the check cannot run and an information message says so.',
    fix: 'Bind a role whose permissions you hold, narrow the role, or ask a cluster administrator to apply the binding (or to grant you `bind` on that specific role by resourceNames).',
    docs: `${RBAC}#restrictions-on-role-binding-creation-or-update`,
    references: {},
  },
  'yaml-syntax': {
    defaultSeverity: 'error',
    title: 'YAML syntax error',
    description: 'The file is not valid YAML, so kubectl and the apiserver cannot read it. Documents after the error may not be analysed. The limits of the analysis are reported the same way, with where: a file over 5 MB, more than 20,000 documents, collections nested more than 500 deep (refused while reading, before anything deeper is built), aliases that expand to more than 100 references or 10,000 nodes.',
    fix: 'Fix the reported syntax error (indentation, an unclosed quote or bracket, a tab used for indentation).',
    docs: `${RBAC}#api-overview`,
    references: {},
  },
  schema: {
    defaultSeverity: 'error',
    title: 'Invalid RBAC object',
    description:
      'The object does not match the rbac.authorization.k8s.io/v1 schema or its validation: a rule without verbs, a string where a list is expected, nonResourceURLs in a namespaced Role, a roleRef kind other than Role/ClusterRole, a missing subject name. The apiserver rejects such objects.',
    fix: 'Correct the field named in the message; see the Role/ClusterRole/RoleBinding API reference.',
    docs: `${RBAC}#api-overview`,
    references: {},
  },
  'unknown-api-group': {
    defaultSeverity: 'warning',
    title: 'Unknown API group',
    description:
      'No such API group exists in the cluster (live discovery) or in the built-in catalog of Kubernetes APIs. RBAC accepts any string, so a typo silently grants nothing, and the pipeline fails later with Forbidden. Remember that core resources (pods, secrets, services...) use the empty group "". The built-in catalog also knows the official add-on groups that many clusters serve (metrics.k8s.io, custom.metrics.k8s.io, external.metrics.k8s.io, snapshot.storage.k8s.io, gateway.networking.k8s.io and other SIG-owned APIs) with their resources: they are never reported as unknown offline, and their resources are checked; with a cluster connected, its discovery decides whether they are installed.',
    fix: 'Use the group the resource is served from (`kubectl api-resources` shows it), e.g. "" for pods, "apps" for deployments, "batch" for jobs.',
    docs: `${RBAC}#referring-to-resources`,
    references: {},
  },
  'unknown-resource': {
    defaultSeverity: 'warning',
    title: 'Unknown resource',
    description:
      'The resource (or subresource) is not served by the listed API groups, according to live discovery or the built-in catalog. Resource names are lowercase plurals (`deployments`, not `Deployment`); subresources are written `pods/log`. A wrong name grants nothing. Authorization-only names count as real: `<resource>/finalizers` of any resource (the OwnerReferencesPermissionEnforcement admission plugin checks `update` on it before an object may set `blockOwnerDeletion` on an owner of that resource), users/groups/serviceaccounts for impersonation, signers, kubelet subresources of nodes.',
    fix: 'Use the plural resource name that `kubectl api-resources` lists for that group, or the right group for the resource.',
    docs: `${RBAC}#referring-to-resources`,
    references: {},
  },
  'unknown-verb': {
    defaultSeverity: 'warning',
    title: 'Unknown verb',
    description:
      'The verb is not one the listed resources support. Verbs are lowercase and matched literally, so a typo grants nothing. Special verbs count only where the authorizer checks them: `bind` and `escalate` on roles/clusterroles, `impersonate` on users, groups, serviceaccounts, uids and userextras, `approve`, `sign` and `attest` on signers, `update` on `<resource>/finalizers`; `approve` on pods or `bind` on rolebindings grants nothing.',
    fix: 'Use the lowercase API verb (`kubectl api-resources -o wide` lists the verbs of each resource).',
    docs: `${RBAC}#referring-to-resources`,
    references: {},
  },
  wildcard: {
    defaultSeverity: 'warning',
    title: 'Wildcard in verbs, resources or apiGroups',
    description:
      '`*` grants everything that exists now and everything added later: every verb (including the special verbs of the listed resources, e.g. escalate and bind on roles), every resource and subresource of a group, or every group including CRDs installed in the future. `*` in verbs, resources and apiGroups together is equivalent to cluster-admin in the role\'s scope: reported once as an error that includes every other risk, which are not repeated for that rule. `*` in resourceNames is not a wildcard at all: RBAC matches it literally (an object named "*"), so such a rule probably grants nothing that was meant (warning). Wider by design than Trivy KSV-0044 (only `*` in all three), KSV-0045 (`*` verbs on sensitive resources), KSV-0046 and KSV-0112 (`*` resources): every `*` is reported, as Checkov CKV_K8S_49, KubeLinter wildcard-in-rules and Kubescape C-0187 do.',
    fix: 'List the verbs, resources and groups the pipeline needs explicitly (the quick fix offers the ones your manifests use, or replaces all the rules with the least privilege for them).',
    docs: `${GP}#least-privilege`,
    references: { kubescape: ['C-0035', 'C-0187'], checkov: ['CKV_K8S_49'], trivy: ['KSV-0044', 'KSV-0045', 'KSV-0046', 'KSV-0112'], kubelinter: ['wildcard-in-rules'] },
  },
  'secrets-read': {
    defaultSeverity: 'warning',
    title: 'Reads Secrets',
    description:
      '`get` on Secrets reveals their contents, and so do `list` and `watch`: a List response carries the data of every Secret. That includes ServiceAccount tokens and any credential stored in the namespace. Limited to named Secrets (resourceNames), the read is reported as information: it reveals those Secrets only, which is what the fix recommends.',
    fix: 'Drop the verbs, or restrict `get` to the named Secrets the pipeline needs with resourceNames. Deploying a Secret usually needs create/update/patch, not read.',
    docs: `${GP}#listing-secrets`,
    references: { kubescape: ['C-0015', 'C-0186'], checkov: ['CKV2_K8S_5'], trivy: ['KSV-0041', 'KSV-0113'], kubelinter: ['access-to-secrets'] },
  },
  'token-create': {
    defaultSeverity: 'warning',
    title: 'Mints ServiceAccount tokens',
    description:
      '`create` on `serviceaccounts/token` issues tokens for existing ServiceAccounts (TokenRequest), and `create` on Secrets can make a `kubernetes.io/service-account-token` Secret that the controller fills with a long-lived token. Either way the holder gets the rights of other ServiceAccounts.',
    fix: 'Remove these verbs, or restrict `serviceaccounts/token` to named ServiceAccounts with resourceNames.',
    docs: `${GP}#token-request`,
    references: { kubescape: ['C-0282'] },
  },
  'workload-create': {
    defaultSeverity: 'information',
    title: 'Creates or changes workloads',
    description:
      'Creating or updating Pods or workload controllers (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicationControllers) implicitly grants what a pod can reach: any ServiceAccount, Secret, ConfigMap and PersistentVolume of the namespace, and node access for privileged pods. A deploying pipeline needs it; it should be confined to its namespace with Pod Security admission enforced.',
    fix: 'Keep it to the namespace the pipeline deploys to and to the workload kinds your manifests contain; enforce the Baseline or Restricted Pod Security Standard there.',
    docs: `${GP}#workload-creation`,
    references: { kubescape: ['C-0188'], trivy: ['KSV-0048'], kubelinter: ['access-to-create-pods'] },
  },
  'pods-exec': {
    defaultSeverity: 'warning',
    title: 'Exec, attach, port-forward or ephemeral containers',
    description:
      '`pods/exec`, `pods/attach` and `pods/portforward` (get or create: websocket requests are authorised as get before Kubernetes 1.35) and updates of `pods/ephemeralcontainers` run commands in or connect to running containers, with access to their ServiceAccount tokens, mounted Secrets and network.',
    fix: 'Remove these subresources; a deploying pipeline does not need them.',
    docs: `${GP}#privilege-escalation-risks`,
    references: { kubescape: ['C-0002', 'C-0063'], checkov: ['CKV2_K8S_2'], trivy: ['KSV-0053', 'KSV-0054'] },
  },
  'escalate-verb': {
    defaultSeverity: 'error',
    title: 'escalate on roles or clusterroles',
    description:
      'The `escalate` verb on roles/clusterroles switches off RBAC\'s escalation prevention: the holder can write any permission into a role it can update, and so give itself anything.',
    fix: 'Remove `escalate` (and `*` verbs) on roles/clusterroles in rbac.authorization.k8s.io.',
    docs: `${GP}#escalate-verb`,
    references: { kubescape: ['C-0191'], checkov: ['CKV_K8S_158'], trivy: ['KSV-0050'] },
  },
  'bind-verb': {
    defaultSeverity: 'warning',
    title: 'bind on roles or clusterroles',
    description:
      'The `bind` verb on roles/clusterroles lets the holder create bindings to roles whose permissions it does not have, bypassing escalation prevention (for example binding itself to cluster-admin). Reported on its own, as Kubescape C-0191 and Checkov CKV_K8S_157 do; wider by design than Trivy KSV-0051 and KSV-0052, which also require create on (cluster)rolebindings in the same role: the bindings can be written by another identity or role, and writing them is binding-write.',
    fix: 'Remove `bind`, or restrict it with resourceNames to the specific roles the pipeline must bind.',
    docs: `${GP}#bind-verb`,
    references: { kubescape: ['C-0191'], checkov: ['CKV_K8S_157'], trivy: ['KSV-0050', 'KSV-0051', 'KSV-0052'] },
  },
  impersonate: {
    defaultSeverity: 'error',
    title: 'Impersonates users, groups or ServiceAccounts',
    description:
      '`impersonate` on users, groups, serviceaccounts (core group) or uids, userextras/* (authentication.k8s.io) lets the holder act as someone else and gain their rights, e.g. impersonating the group system:masters.',
    fix: 'Remove `impersonate`; if unavoidable, restrict it with resourceNames to specific identities that hold little.',
    docs: `${GP}#impersonate-verb`,
    references: { kubescape: ['C-0065', 'C-0191'], checkov: ['CKV2_K8S_3'], trivy: ['KSV-0043'] },
  },
  'nodes-proxy': {
    defaultSeverity: 'warning',
    title: 'Access to nodes/proxy',
    description:
      '`nodes/proxy` gives access to the kubelet API (directly, or through the apiserver\'s node proxy), whose exec, attach, portForward and run endpoints run commands in every pod on the node while bypassing audit logging and admission control. The kubelet authorises GET as `get` and POST as `create`, the methods those endpoints take, so `get` alone is enough (websocket): a warning. `update`, `patch` and `delete` are PUT, PATCH and DELETE requests, which reach none of them (PUT /debug/flags/v sets the kubelet\'s log verbosity): information. Other verbs grant nothing (unknown-verb). Wider by design than Checkov CKV2_K8S_2, which looks at `create` only; Trivy KSV-0047 also reports `get`.',
    fix: 'Remove the verbs on `nodes/proxy` (and `*/proxy` or `*` resources in the core group); read node metrics through nodes/metrics or nodes/stats instead.',
    docs: `${GP}#access-to-proxy-subresource-of-nodes`,
    references: { kubescape: ['C-0279'], trivy: ['KSV-0047'] },
  },
  'csr-approve': {
    defaultSeverity: 'warning',
    title: 'Approves certificate signing requests',
    description:
      'Approving a CSR takes two grants at once: `update` (or `patch`) on `certificatesigningrequests/approval` and `approve` on `signers` in certificates.k8s.io, named by the CSR\'s signer or `<domain>/*` (no resourceNames: every signer). With both in one role (a warning), the holder approves CSRs, e.g. for the kube-apiserver-client signer, and so obtains client certificates for any user or group, including system components. One half alone approves nothing: information naming the missing half (none when the half only comes from a `*` resource). Narrower by design than Kubescape C-0280 and Checkov CKV_K8S_156, which flag either half alone.',
    fix: 'Remove these permissions from pipeline roles; leave CSR approval to the controller manager or a dedicated approver.',
    docs: `${GP}#csrs-and-certificate-issuing`,
    references: { kubescape: ['C-0280'], checkov: ['CKV_K8S_156'] },
  },
  'webhook-config': {
    defaultSeverity: 'warning',
    title: 'Controls admission webhooks',
    description:
      'Whoever can create, change or delete validating/mutating webhook configurations sees every object admitted to the cluster (Secrets included), can mutate it, or can switch off policy enforced by webhooks.',
    fix: 'Remove write verbs on validatingwebhookconfigurations/mutatingwebhookconfigurations; install webhooks with an administrator-applied release.',
    docs: `${GP}#control-admission-webhooks`,
    references: { kubescape: ['C-0281'], checkov: ['CKV_K8S_155'], trivy: ['KSV-0114'] },
  },
  'pv-create': {
    defaultSeverity: 'warning',
    title: 'Creates PersistentVolumes',
    description:
      'Creating PersistentVolumes includes `hostPath` volumes, which give a pod the node\'s filesystem and with it the kubelet\'s credentials and other containers\' data.',
    fix: 'Use PersistentVolumeClaims with a StorageClass instead; leave PersistentVolume creation to administrators and provisioners.',
    docs: `${GP}#persistent-volume-creation`,
    references: { kubescape: ['C-0278'] },
  },
  'namespace-modify': {
    defaultSeverity: 'warning',
    title: 'Modifies namespaces',
    description:
      '`patch`/`update` on namespaces can change their labels: relax Pod Security admission (`pod-security.kubernetes.io/enforce`) or match NetworkPolicy selectors the administrators did not intend.',
    fix: 'Remove patch/update on namespaces; have administrators manage namespace labels.',
    docs: `${GP}#namespace-modification`,
    references: {},
  },
  'status-modify': {
    defaultSeverity: 'warning',
    title: 'Writes object status',
    description:
      'Updating `pods/status`, `services/status` or `nodes/status` rewrites state other components trust: a Service\'s load-balancer IPs (traffic redirection), pod IPs and conditions, node addresses and conditions.',
    fix: 'Remove update/patch on these status subresources; status belongs to controllers and kubelets.',
    docs: `${GP}#privilege-escalation-risks`,
    references: { checkov: ['CKV2_K8S_4'] },
  },
  'binding-write': {
    defaultSeverity: 'warning',
    title: 'Writes RoleBindings or ClusterRoleBindings',
    description:
      '`create`, `update` or `patch` on rolebindings or clusterrolebindings lets the holder grant any role it holds, or may `bind`, to any subject: to a ServiceAccount whose token it can use, or to anyone outside. Escalation prevention stops it from binding roles beyond its own rights, but everything it holds it can hand on, and editing an existing binding\'s subjects takes over that binding\'s role. Covers Checkov CKV2_K8S_1 and Trivy KSV-0055; wider by design than KSV-0055, which also requires `get`.',
    fix: 'Remove write verbs on bindings from pipeline roles; if the pipeline must manage bindings, restrict update/patch to named bindings with resourceNames and keep the roles it holds small.',
    docs: `${GP}#bind-verb`,
    references: { checkov: ['CKV2_K8S_1'], trivy: ['KSV-0055'] },
  },
  'secrets-write': {
    defaultSeverity: 'warning',
    title: 'Changes or deletes Secrets',
    description:
      '`update`, `patch`, `delete` or `deletecollection` on Secrets replaces or removes credentials other workloads trust: TLS keys of Ingresses and webhooks, image pull credentials, ServiceAccount token Secrets. (`create` on Secrets is token-create: it can mint a long-lived token.) Covers the write side of Trivy KSV-0041 and KSV-0113.',
    fix: 'Restrict the verbs to named Secrets with resourceNames, or let an operator (External Secrets, Sealed Secrets) manage them instead of the pipeline.',
    docs: `${GP}#listing-secrets`,
    references: { trivy: ['KSV-0041', 'KSV-0113'] },
  },
  'network-policy-modify': {
    defaultSeverity: 'warning',
    title: 'Changes NetworkPolicies',
    description:
      'NetworkPolicies are additive allow-lists: whoever can create, change or delete them in a namespace can open traffic the administrators blocked (a new policy allowing all ingress, or deleting a default-deny). Covers the NetworkPolicy part of Trivy KSV-0056 (which also covers services, endpoints and ingresses).',
    fix: 'Remove write verbs on networkpolicies; have administrators manage the namespace\'s network isolation.',
    docs: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
    references: { trivy: ['KSV-0056'] },
  },
  ...CONTROL_PLANE_ENTRIES,
  aggregation: {
    defaultSeverity: 'warning',
    title: 'ClusterRole aggregation',
    description:
      'An aggregationRule makes the controller fill the ClusterRole with the rules of every ClusterRole matching its selectors, now and later, so it can grow without review (and needs cluster-admin authority to create). An `rbac.authorization.k8s.io/aggregate-to-*` label does the reverse: it adds this role\'s rules to the built-in admin, edit or view roles, and so to everyone bound to them.',
    fix: 'List the rules explicitly instead of aggregating; remove aggregate-to-* labels unless every admin/edit/view user should get these permissions.',
    docs: `${RBAC}#aggregated-clusterroles`,
    references: {},
  },
  'cluster-scope': {
    defaultSeverity: 'warning',
    title: 'Cluster-wide grant',
    description:
      'A ClusterRoleBinding grants its ClusterRole in every namespace and on cluster-scoped resources. A pipeline should get namespaced rights only: a Role and a RoleBinding in the namespace it deploys to. Binding a ClusterRole to a ServiceAccount with a RoleBinding also ties the pipeline to a shared role that may change (or aggregate) without review (reported as information). When the bound ClusterRole is known (same file, workspace or cluster), the message says whether a RoleBinding could replace the ClusterRoleBinding: it cannot for cluster-scoped resources (nodes, namespaces, persistentvolumes...) or non-resource URLs. An aggregated ClusterRole\'s rules are those of the ClusterRoles its selectors match (same file, workspace, other checked files, or the cluster\'s aggregated rules when live); when not all of them are known, the message says so instead of advising.',
    fix: 'When the role grants only namespaced resources: a Role and a RoleBinding in the target namespace. Otherwise keep the ClusterRoleBinding to a ClusterRole with just the cluster-scoped grants, and move the namespaced ones to a Role.',
    docs: `${GP}#least-privilege`,
    references: {},
  },
  'broad-role-binding': {
    defaultSeverity: 'error',
    title: 'Binds cluster-admin, admin or edit',
    description:
      'cluster-admin bound by a ClusterRoleBinding is superuser access to the whole cluster; bound by a RoleBinding, it is full control of that namespace: its Secrets, its Roles and RoleBindings and its workloads (error either way). admin and edit (warning) include reading Secrets, creating workloads, exec into pods and, for admin, managing RoleBindings in the namespace, far more than a deploying pipeline needs. Wider by design than KubeLinter cluster-admin-role-binding (cluster-admin only) and Kubescape C-0185 (ClusterRoleBindings only).',
    fix: 'Bind a dedicated Role listing only what the pipeline deploys.',
    docs: `${RBAC}#user-facing-roles`,
    references: { kubescape: ['C-0185'], trivy: ['KSV-0111'], kubelinter: ['cluster-admin-role-binding'] },
  },
  'anonymous-subject': {
    defaultSeverity: 'error',
    title: 'Binding to anonymous or all users',
    description:
      'system:anonymous and system:unauthenticated are anyone who can reach the API server; system:authenticated is every authenticated identity, including every ServiceAccount of every namespace. Binding them grants the role to all of them. Wider by design than Kubescape C-0265 (only roles that can take over the cluster) and Trivy KSV-01011 (system:authenticated on GKE only): every binding of these groups is reported.',
    fix: 'Bind the pipeline\'s own ServiceAccount (or a specific user or group) instead.',
    docs: `${GP}#hardening`,
    references: { kubescape: ['C-0262', 'C-0265'], trivy: ['KSV-0122', 'KSV-01011'] },
  },
  'default-service-account': {
    defaultSeverity: 'warning',
    title: 'Binds the default ServiceAccount',
    description:
      'Every pod that does not name a ServiceAccount runs as `default`, so permissions bound to it are given to all such pods of the namespace, not just the pipeline.',
    fix: 'Create a dedicated ServiceAccount for the pipeline and bind that.',
    docs: `${RBAC}#service-account-permissions`,
    references: { checkov: ['CKV_K8S_42'] },
  },
  'masters-subject': {
    defaultSeverity: 'warning',
    title: 'Binding to the group system:masters',
    description:
      'Members of system:masters bypass RBAC entirely (the apiserver allows them everything before RBAC is asked), so a binding to that group grants them nothing. It is a red flag: it suggests a belief that the binding controls superuser rights, while those come from who holds a client certificate with that group. Covers Trivy KSV-0123.',
    fix: 'Remove the subject; to give a person or pipeline rights, bind a specific user, group or ServiceAccount to a role that lists what it needs.',
    docs: `${GP}#hardening`,
    references: { trivy: ['KSV-0123'] },
  },
  'helm-template': {
    defaultSeverity: 'information',
    title: 'Unrendered Helm template',
    description:
      'A file with Helm template actions (`{{ ... }}`), or under a chart\'s `templates/` folder, is not YAML until Helm renders it, so it is not parsed as YAML (which would report hundreds of false syntax errors). One information finding says how to check it instead.',
    fix: 'Render the chart and check the output: `helm template my-release ./chart > rendered.yaml`, then `pipeline-rbac check rendered.yaml` (or open rendered.yaml in the editor).',
    docs: 'https://helm.sh/docs/helm/helm_template/',
    references: {},
  },
  'unused-permission': {
    defaultSeverity: 'information',
    title: 'Permission no manifest needs',
    description:
      'None of the workspace manifests configured in `pipelineRbac.manifests` contains this kind, so a pipeline deploying them does not need the grant. Least privilege: only the resources the application consists of should be available to the Role.',
    fix: 'Remove the grant, or use the quick fix "Replace rules with the least privilege for the manifests" (also a refactoring anywhere in the rules), which rewrites the Role\'s rules to exactly what the manifests need with `pipelineRbac.deployVerbs`; the command "Generate Least-Privilege Role from Manifests" writes a new Role instead.',
    docs: `${GP}#least-privilege`,
    references: {},
  },
  'missing-permission': {
    defaultSeverity: 'error',
    title: 'Lacks a permission the deploy needs',
    description:
      'The manifests the pipeline deploys (`pipelineRbac.manifests` / `--manifests`: files, Helm charts, kustomize overlays) and the deploy tool (`pipelineRbac.deployer` / `--deployer`: `kubectl` client-side apply gets, creates and patches each object; `server-side-apply` creates and patches; `helm` gets, creates, patches and deletes objects and keeps its release records as Secrets) need verbs this Role does not grant, so the pipeline fails with Forbidden on its first run. A manifest that is itself a Role or binding needs everything it grants (the apiserver\'s escalation prevention) unless the Role may `escalate`/`bind`.',
    fix: 'Use the quick fix "Add the missing permissions", which appends exactly the missing rules in the file\'s style, or regenerate the Role with "Replace rules with the least privilege for the manifests".',
    docs: `${RBAC}#privilege-escalation-prevention-and-bootstrapping`,
    references: {},
  },
  'render-error': {
    defaultSeverity: 'error',
    title: 'Chart or overlay does not render',
    description:
      'A Helm chart or kustomize overlay the pipeline deploys failed to render (`helm template` / `kustomize build`), or the tool to render it was not found; its message is shown at the failing template line where the tool names one. A render is also refused before the tool runs when the folder holds a symbolic link that leaves it, points nowhere or loops (named in the message), or a kustomization names a remote resource, component, base, file or chart repository (on that line); and it is stopped at a limit of time, output or memory (the message says which). Nothing rendered from it was checked; while a chart or overlay named in `pipelineRbac.manifests` cannot be rendered, each Role gets one information finding instead of unused or missing permissions (which would be guesses).',
    fix: 'Fix the template (or the values) as the message says; install helm / kustomize or set `pipelineRbac.helm.path` / `pipelineRbac.kustomize.path`. Replace a link that leaves the folder with the file itself; vendor a remote base into the repository (or render it yourself and check the output).',
    docs: 'https://helm.sh/docs/helm/helm_template/',
    references: {},
  },
  'no-rbac-rendered': {
    defaultSeverity: 'information',
    title: 'Chart or overlay renders no RBAC',
    description:
      'A chart or overlay given to `check` rendered without a Role, ClusterRole, RoleBinding or ClusterRoleBinding, so there was no RBAC to check: one information finding on `Chart.yaml` (or the kustomization) says so, instead of "No problems". Charts usually create their RBAC only when a value asks for it (`rbac.create`, `serviceAccount.create`, `rbac.namespaced`), so the values given decide what the gate sees.',
    fix: 'Check the chart with the values it is deployed with (`--values`, `--set rbac.create=true`), or leave the chart out of the RBAC check when it really creates no RBAC.',
    docs: 'https://helm.sh/docs/helm/helm_template/',
    references: {},
  },
  reach: {
    defaultSeverity: 'warning',
    title: 'Reaches a stronger identity',
    description:
      'The Role (or the role a binding grants) lets whoever holds it become another identity, by steps the Role itself does not name: creating a workload runs a pod as any ServiceAccount of the namespace, reading Secrets returns legacy tokens, `serviceaccounts/token` mints one, exec or an ephemeral container runs in another pod, impersonation, bind and escalate, CSR approval, the admission chain. The finding names the identity reached, what it holds beyond this Role, and the first step with the rule that allows it; the steps and their exact checks are in docs/reach.md. Computed over the RBAC of the files checked (`check FILE`: a GitOps repository that holds the cluster\'s RBAC is a complete universe) or of the cluster (`check --live`). An error when the identity reached is cluster-admin equivalent or reads Secrets in every namespace, else a warning.',
    fix: 'Narrow the step the finding names: restrict it to named objects (`resourceNames`, where the request has a name), drop the verb, or move the workload into a namespace whose ServiceAccounts hold no more than the pipeline; `pipeline-rbac reach --namespace NS --name SA` shows every path.',
    docs: `${GP}#workload-creation`,
    references: {},
  },
};

export const RULES: Readonly<Record<RuleId, RuleMeta>> = Object.fromEntries(
  (Object.keys(ENTRIES) as RuleId[]).map((id) => [id, { id, ...ENTRIES[id], example: EXAMPLES[id] }]),
) as Record<RuleId, RuleMeta>;

/** Every rule, in catalogue order. */
export const RULE_LIST: readonly RuleMeta[] = Object.values(RULES);

export function ruleMeta(id: RuleId): RuleMeta {
  return RULES[id];
}

export function defaultSeverity(id: RuleId): Severity {
  return RULES[id].defaultSeverity;
}
