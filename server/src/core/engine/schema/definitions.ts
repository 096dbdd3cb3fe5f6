/**
 * JSON Schemas (draft-07) of the RBAC kinds and ServiceAccount, following the rbac.authorization.k8s.io/v1 and core/v1
 * OpenAPI and what the apiserver actually accepts (after v1 defaulting, with kubectl's strict field validation).
 * This module is the source of schemas/*.schema.json (scripts/gen-schemas.ts writes them; a unit test keeps them
 * equal); validate.ts compiles those JSON files, which esbuild bundles.
 * `patternErrorMessage` / `markdownDescription` are Red Hat YAML (vscode-json-languageservice) annotations.
 */

export type JsonSchema = { [key: string]: unknown };

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** path.IsValidPathSegmentName: not "." or "..", and no "/" or "%" (pkg/apis/rbac/validation ValidateRBACName). */
const PATH_SEGMENT = '^(?!\\.\\.?$)[^/%]+$';
const QUALIFIED_NAME = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

const stringList = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: ['array', 'null'],
  items: { type: 'string' },
  description,
  ...extra,
});

function objectMeta(nameSchema: JsonSchema, scope: 'namespaced' | 'cluster'): JsonSchema {
  return {
    type: 'object',
    description: 'Standard object metadata. `name` is required; `labels` and `annotations` are string maps.',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: nameSchema,
      generateName: { type: ['string', 'null'], description: 'Prefix for a server-generated name (only with `kubectl create`, not `apply`).' },
      namespace:
        scope === 'namespaced'
          ? {
              type: ['string', 'null'],
              maxLength: 63,
              pattern: DNS1123_LABEL,
              patternErrorMessage: 'A namespace is a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit.',
              description: 'Namespace of the object. When absent, kubectl uses the namespace of the current context.',
            }
          : { type: ['string', 'null'], description: 'Ignored: this kind is cluster-scoped and the apiserver clears the namespace.' },
      labels: {
        type: ['object', 'null'],
        description: 'Labels (string values of at most 63 characters). On a ClusterRole, `rbac.authorization.k8s.io/aggregate-to-*` labels merge its rules into aggregated roles.',
        propertyNames: { pattern: QUALIFIED_NAME, patternErrorMessage: 'A label key is an optional DNS subdomain prefix and "/", then a name of letters, digits, "-", "_" and ".".' },
        additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE, patternErrorMessage: 'A label value has at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.' },
      },
      annotations: {
        type: ['object', 'null'],
        description: 'Annotations: arbitrary string metadata.',
        propertyNames: { pattern: QUALIFIED_NAME, patternErrorMessage: 'An annotation key is an optional DNS subdomain prefix and "/", then a name of letters, digits, "-", "_" and ".".' },
        additionalProperties: { type: 'string' },
      },
      uid: { type: ['string', 'null'], description: 'Set by the server.' },
      resourceVersion: { type: ['string', 'null'], description: 'Set by the server; used for optimistic concurrency.' },
      generation: { type: ['integer', 'null'], description: 'Set by the server.' },
      creationTimestamp: { type: ['string', 'null'], description: 'Set by the server.' },
      deletionTimestamp: { type: ['string', 'null'], description: 'Set by the server.' },
      deletionGracePeriodSeconds: { type: ['integer', 'null'], description: 'Set by the server.' },
      selfLink: { type: ['string', 'null'], description: 'Deprecated; not set by the server any more.' },
      ownerReferences: { type: ['array', 'null'], items: { type: 'object' }, description: 'Objects this object depends on (garbage collection).' },
      finalizers: { type: ['array', 'null'], items: { type: 'string' }, description: 'Finalizers that must be removed before deletion.' },
      managedFields: { type: ['array', 'null'], items: { type: 'object' }, description: 'Server-side apply bookkeeping.' },
    },
  };
}

const RBAC_NAME: JsonSchema = {
  type: 'string',
  minLength: 1,
  pattern: PATH_SEGMENT,
  patternErrorMessage: 'An RBAC object name may not be "." or ".." and may not contain "/" or "%".',
  description: 'Name of the object, unique in its namespace (or cluster-wide for cluster-scoped kinds).',
};

const policyRule = (namespaced: boolean): JsonSchema => ({
  type: 'object',
  description:
    'A set of permissions: every verb applies to every resource of every API group listed (or to every non-resource URL). ' +
    'A rule is either a resource rule (`apiGroups` + `resources`) or a non-resource rule (`nonResourceURLs`), never both.',
  required: ['verbs'],
  additionalProperties: false,
  properties: {
    verbs: stringList('Verbs allowed: get, list, watch, create, update, patch, delete, deletecollection, or special verbs such as bind, escalate, impersonate, approve. `*` is every verb, including ones added later. Required, at least one.', {
      type: 'array',
      minItems: 1,
    }),
    apiGroups: stringList('API groups of the resources: `""` is the core group (pods, secrets, ...), `apps` holds deployments, `*` is every group. Required for resource rules.'),
    resources: stringList('Resources the rule applies to, as plural lower-case names (`pods`), with subresources as `pods/exec`. `*` is every resource, `*/scale` a subresource of every resource. Required for resource rules.'),
    resourceNames: stringList('Optional allow-list of object names. Requests that cannot name an object (list, watch, create, deletecollection) are not matched by a rule with resourceNames.'),
    nonResourceURLs: stringList(
      namespaced
        ? 'Not allowed in a Role: non-resource URLs are cluster-wide, use a ClusterRole bound by a ClusterRoleBinding.'
        : 'Non-resource URL paths such as `/healthz` or `/metrics`; a final `*` matches any suffix (`/healthz/*`). Only for ClusterRoles bound by a ClusterRoleBinding, and not together with apiGroups/resources/resourceNames.',
    ),
  },
});

const labelSelector: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Selects ClusterRoles by label; the conditions are ANDed.',
  properties: {
    matchLabels: { type: ['object', 'null'], additionalProperties: { type: 'string' }, description: 'Label key/value pairs that must all match.' },
    matchExpressions: {
      type: ['array', 'null'],
      description: 'Set-based requirements.',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        additionalProperties: false,
        properties: {
          key: { type: 'string', description: 'Label key.' },
          operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'], description: 'How the key relates to the values.' },
          values: { type: ['array', 'null'], items: { type: 'string' }, description: 'Values for In/NotIn; empty for Exists/DoesNotExist.' },
        },
      },
    },
  },
};

const roleRef = (kinds: string[]): JsonSchema => ({
  type: 'object',
  description: 'The Role or ClusterRole being granted. It cannot be changed after creation: delete and recreate the binding instead.',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    apiGroup: { type: 'string', enum: [RBAC_GROUP, ''], description: `Always \`${RBAC_GROUP}\` (an empty value is defaulted to it).` },
    kind: {
      type: 'string',
      enum: kinds,
      description: kinds.length === 1 ? 'A ClusterRoleBinding can only reference a ClusterRole.' : 'Role (same namespace as the binding) or ClusterRole (its rules, granted in the binding\'s namespace only).',
    },
    name: { ...RBAC_NAME, description: 'Name of the referenced role. The role does not need to exist yet, but then the binder needs the `bind` verb on it.' },
  },
});

const subject = (clusterScoped: boolean): JsonSchema => ({
  type: 'object',
  description: 'Who is granted the role: a User, a Group, or a ServiceAccount (the identity a pipeline should use).',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['User', 'Group', 'ServiceAccount'], description: 'User, Group or ServiceAccount.' },
    name: { type: 'string', minLength: 1, description: 'Name of the user, group or service account (a ServiceAccount name is a DNS subdomain).' },
    namespace: {
      type: 'string',
      description: clusterScoped
        ? 'Namespace of the ServiceAccount: required for ServiceAccount subjects of a ClusterRoleBinding.'
        : 'Namespace of the ServiceAccount; defaults to the binding\'s namespace. Ignored for users and groups.',
    },
    apiGroup: {
      type: 'string',
      description: `\`${RBAC_GROUP}\` for User and Group (the default), empty for ServiceAccount.`,
    },
  },
});

const subjects = (clusterScoped: boolean): JsonSchema => ({
  type: ['array', 'null'],
  description: 'The identities that receive the role.',
  items: subject(clusterScoped),
});

const top = (kind: string, apiVersion: string, description: string, properties: JsonSchema, required: string[] = []): JsonSchema => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: `https://pipeline-rbac.dev/schemas/${kind.toLowerCase()}.schema.json`,
  title: kind,
  description,
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', ...required],
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string', const: apiVersion, description: `\`${apiVersion}\`${apiVersion === RBAC_V1 ? ' (v1beta1 and v1alpha1 were removed in Kubernetes 1.22)' : ''}.` },
    kind: { type: 'string', const: kind, description: `\`${kind}\`.` },
    ...properties,
  },
});

export const roleSchema = top('Role', RBAC_V1, 'A namespaced set of permissions, granted to subjects by a RoleBinding in the same namespace.', {
  metadata: objectMeta(RBAC_NAME, 'namespaced'),
  rules: { type: ['array', 'null'], description: 'The permissions of this Role (namespaced resources of its namespace only).', items: policyRule(true) },
});

export const clusterRoleSchema = top('ClusterRole', RBAC_V1, 'A cluster-wide set of permissions: granted everywhere by a ClusterRoleBinding, or in one namespace by a RoleBinding.', {
  metadata: objectMeta(RBAC_NAME, 'cluster'),
  rules: { type: ['array', 'null'], description: 'The permissions of this ClusterRole. With an aggregationRule the controller overwrites them.', items: policyRule(false) },
  aggregationRule: {
    type: ['object', 'null'],
    description: 'Makes this an aggregated ClusterRole: its rules are the union of the ClusterRoles matched by the selectors (managed by a controller). Creating one requires holding every permission (`*` on everything).',
    required: ['clusterRoleSelectors'],
    additionalProperties: false,
    properties: {
      clusterRoleSelectors: { type: 'array', minItems: 1, items: labelSelector, description: 'At least one label selector.' },
    },
  },
});

export const roleBindingSchema = top('RoleBinding', RBAC_V1, 'Grants a Role or ClusterRole to subjects within the binding\'s namespace.', {
  metadata: objectMeta(RBAC_NAME, 'namespaced'),
  roleRef: roleRef(['Role', 'ClusterRole']),
  subjects: subjects(false),
}, ['roleRef']);

export const clusterRoleBindingSchema = top('ClusterRoleBinding', RBAC_V1, 'Grants a ClusterRole to subjects in every namespace and on cluster-scoped resources. Pipelines should rarely need one.', {
  metadata: objectMeta(RBAC_NAME, 'cluster'),
  roleRef: roleRef(['ClusterRole']),
  subjects: subjects(true),
}, ['roleRef']);

const objectReference: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    ['apiVersion', 'kind', 'name', 'namespace', 'uid', 'resourceVersion', 'fieldPath'].map((k) => [k, { type: 'string' }]),
  ),
};

export const serviceAccountSchema = top('ServiceAccount', 'v1', 'An identity for processes, e.g. a CI/CD pipeline: bind Roles to it and give the pipeline a short-lived token for it.', {
  metadata: objectMeta(
    { type: 'string', minLength: 1, maxLength: 253, pattern: DNS1123_SUBDOMAIN, patternErrorMessage: 'A ServiceAccount name is a DNS subdomain: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit.', description: 'Name of the ServiceAccount.' },
    'namespaced',
  ),
  secrets: { type: ['array', 'null'], items: objectReference, description: 'Legacy: Secrets of this ServiceAccount. Prefer short-lived tokens (TokenRequest).' },
  imagePullSecrets: {
    type: ['array', 'null'],
    description: 'Secrets used to pull images for pods running as this ServiceAccount.',
    items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } },
  },
  automountServiceAccountToken: { type: ['boolean', 'null'], description: 'Whether pods mount a token for this ServiceAccount by default. A pipeline-only identity can set false.' },
});

export const SCHEMAS = {
  Role: roleSchema,
  ClusterRole: clusterRoleSchema,
  RoleBinding: roleBindingSchema,
  ClusterRoleBinding: clusterRoleBindingSchema,
  ServiceAccount: serviceAccountSchema,
} as const;

/** File name in schemas/ for each kind. */
export const SCHEMA_FILES: Record<keyof typeof SCHEMAS, string> = {
  Role: 'role.schema.json',
  ClusterRole: 'clusterrole.schema.json',
  RoleBinding: 'rolebinding.schema.json',
  ClusterRoleBinding: 'clusterrolebinding.schema.json',
  ServiceAccount: 'serviceaccount.schema.json',
};
