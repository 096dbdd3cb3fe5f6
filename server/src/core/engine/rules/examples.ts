/** One YAML example per rule id that triggers it, for docs/rules.md and the catalogue tests. */
import type { RuleId } from '../model';

const role = (rules: string, kind = 'Role', meta = '  namespace: ci\n'): string =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: deployer\n${meta}rules:\n${rules}`;

const binding = (roleRef: string, subjects: string, kind = 'RoleBinding', meta = '  namespace: ci\n'): string =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: deployer\n${meta}subjects:\n${subjects}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n${roleRef}`;

const pipelineSa = '- kind: ServiceAccount\n  name: pipeline\n  namespace: ci\n';

export const EXAMPLES: Record<RuleId, string> = {
  reach: `${role(`- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["create"]   # runs a pod as ci/db-migrator, which reads every Secret\n`)}---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: db-migrator\n  namespace: ci\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: db-migrator\nsubjects:\n${pipelineSa.replace('pipeline', 'db-migrator')}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: secret-reader\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: secret-reader\nrules:\n- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["get", "list"]\n`,
  'not-held': role(`- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["create"]   # you only hold get on secrets\n`),
  'binding-not-held': binding('  kind: ClusterRole\n  name: cluster-admin   # you do not hold every permission of cluster-admin\n', pipelineSa),
  'yaml-syntax': role(`- apiGroups: [""]\n  resources: ["pods"\n  verbs: ["get"]\n`),
  schema: role(`- apiGroups: [""]\n  resources: ["pods"]   # no verbs\n`),
  'unknown-api-group': role(`- apiGroups: ["app"]   # the group is "apps"\n  resources: ["deployments"]\n  verbs: ["get"]\n`),
  'unknown-resource': role(`- apiGroups: ["apps"]\n  resources: ["Deployment"]   # resources are lowercase plurals\n  verbs: ["get"]\n`),
  'unknown-verb': role(`- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["read"]\n`),
  wildcard: role(`- apiGroups: ["apps"]\n  resources: ["*"]\n  verbs: ["get", "list"]\n`),
  'secrets-read': role(`- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["list"]\n`),
  'token-create': role(`- apiGroups: [""]\n  resources: ["serviceaccounts/token"]\n  verbs: ["create"]\n`),
  'workload-create': role(`- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["create", "patch"]\n`),
  'pods-exec': role(`- apiGroups: [""]\n  resources: ["pods/exec"]\n  verbs: ["create"]\n`),
  'escalate-verb': role(`- apiGroups: ["rbac.authorization.k8s.io"]\n  resources: ["roles"]\n  verbs: ["escalate"]\n`),
  'bind-verb': role(`- apiGroups: ["rbac.authorization.k8s.io"]\n  resources: ["roles"]\n  verbs: ["bind"]\n`),
  impersonate: role(`- apiGroups: [""]\n  resources: ["serviceaccounts"]\n  verbs: ["impersonate"]\n`),
  'nodes-proxy': role(`- apiGroups: [""]\n  resources: ["nodes/proxy"]\n  verbs: ["get"]\n`, 'ClusterRole', ''),
  'csr-approve': role(
    `- apiGroups: ["certificates.k8s.io"]\n  resources: ["certificatesigningrequests/approval"]\n  verbs: ["update"]\n`,
    'ClusterRole',
    '',
  ),
  'webhook-config': role(
    `- apiGroups: ["admissionregistration.k8s.io"]\n  resources: ["mutatingwebhookconfigurations"]\n  verbs: ["create", "patch"]\n`,
    'ClusterRole',
    '',
  ),
  'pv-create': role(`- apiGroups: [""]\n  resources: ["persistentvolumes"]\n  verbs: ["create"]\n`, 'ClusterRole', ''),
  'namespace-modify': role(`- apiGroups: [""]\n  resources: ["namespaces"]\n  verbs: ["patch"]\n`, 'ClusterRole', ''),
  'status-modify': role(`- apiGroups: [""]\n  resources: ["services/status"]\n  verbs: ["update"]\n`),
  'binding-write': role(`- apiGroups: ["rbac.authorization.k8s.io"]\n  resources: ["rolebindings"]\n  verbs: ["create", "patch"]\n`),
  'secrets-write': role(`- apiGroups: [""]\n  resources: ["secrets"]\n  verbs: ["update", "delete"]\n`),
  'network-policy-modify': role(`- apiGroups: ["networking.k8s.io"]\n  resources: ["networkpolicies"]\n  verbs: ["delete"]\n`),
  'admission-policy-write': role(
    `- apiGroups: ["admissionregistration.k8s.io"]\n  resources: ["validatingadmissionpolicybindings"]\n  verbs: ["delete"]\n`,
    'ClusterRole',
    '',
  ),
  'apiservice-write': role(`- apiGroups: ["apiregistration.k8s.io"]\n  resources: ["apiservices"]\n  verbs: ["patch"]\n`, 'ClusterRole', ''),
  'crd-write': role(`- apiGroups: ["apiextensions.k8s.io"]\n  resources: ["customresourcedefinitions"]\n  verbs: ["create", "update"]\n`, 'ClusterRole', ''),
  'configmap-write': role(`- apiGroups: [""]\n  resources: ["configmaps"]\n  verbs: ["update", "patch"]\n`, 'Role', '  namespace: kube-system\n'),
  'nodes-write': role(`- apiGroups: [""]\n  resources: ["nodes"]\n  verbs: ["patch"]\n- apiGroups: [""]\n  resources: ["pods/eviction"]\n  verbs: ["create"]\n`, 'ClusterRole', ''),
  'cloud-identity': `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: uploader\n  namespace: ci\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/s3-writer\n---\n${role(`- apiGroups: [""]\n  resources: ["serviceaccounts/token"]\n  verbs: ["create"]\n`)}`,
  'cluster-scoped-in-role': role(`- apiGroups: [""]\n  resources: ["nodes/proxy"]   # cluster-scoped: a RoleBinding never grants it\n  verbs: ["get"]\n`),
  aggregation: role(
    `- apiGroups: ["stable.example.com"]\n  resources: ["crontabs"]\n  verbs: ["get"]\n`,
    'ClusterRole',
    '  labels:\n    rbac.authorization.k8s.io/aggregate-to-edit: "true"\n',
  ),
  'cluster-scope': binding('  kind: ClusterRole\n  name: deployer\n', pipelineSa, 'ClusterRoleBinding', ''),
  'broad-role-binding': binding('  kind: ClusterRole\n  name: edit\n', pipelineSa),
  'anonymous-subject': binding(
    '  kind: Role\n  name: deployer\n',
    '- kind: Group\n  name: system:authenticated\n  apiGroup: rbac.authorization.k8s.io\n',
  ),
  'default-service-account': binding('  kind: Role\n  name: deployer\n', '- kind: ServiceAccount\n  name: default\n  namespace: ci\n'),
  'masters-subject': binding('  kind: ClusterRole\n  name: view\n', '- kind: Group\n  name: system:masters\n  apiGroup: rbac.authorization.k8s.io\n'),
  'helm-template': role(`{{- range .Values.roles }}\n- apiGroups: [""]\n  resources: {{ toYaml .resources }}\n  verbs: ["get"]\n{{- end }}\n`),
  'missing-permission': role(`- apiGroups: ["apps"]\n  resources: ["deployments"]\n  verbs: ["get", "patch"]   # the chart also has a HorizontalPodAutoscaler\n`),
  'render-error': '# templates/deployment.yaml\nreplicas: {{ .Values.replicas | required "replicas is required" }}\n',
  'no-rbac-rendered': '# templates/role.yaml\n{{- if .Values.rbac.create }}\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n{{- end }}\n',
  'unused-permission': role(`- apiGroups: ["batch"]\n  resources: ["cronjobs"]   # no manifest contains a CronJob\n  verbs: ["create"]\n`),
};
