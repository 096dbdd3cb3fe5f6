/**
 * The resource risks: which verbs on which resources of which API group are risky, and what they allow. Matched by
 * resourceRisks.ts the way the RBAC authorizer matches requests. csr-approve needs two grants at once and lives in
 * csrApprove.ts.
 */
import type { RuleId, Severity } from '../model';

export interface Target {
  group: string;
  resource: string;
  /** Subresource; '*' = any subresource of `resource` (userextras/<key>). */
  subresource?: string;
  /** Verbs that make the grant risky; 'any' = every verb. */
  verbs: readonly string[] | 'any';
}

export interface ResourceRisk {
  id: RuleId;
  targets: readonly Target[];
  /** The item that carries the risk: the resource (secrets) or the verb (escalate). */
  anchor: 'resource' | 'verb';
  effect: string;
  /** When every grant is limited to named objects (resourceNames): a lower severity and what it allows then. */
  named?: { severity: Severity; effect: string };
  /**
   * Verbs on the same targets that reach less (update on nodes/proxy): information with their own effect, only on an
   * item no main verb matches (`*` includes the main verbs).
   */
  minor?: { verbs: readonly string[]; effect: string };
  /** What the risk allows in a namespaced Role, whose RoleBindings never grant the cluster-scoped targets. */
  roleEffect?: string;
}

type Verbs = readonly string[] | 'any';
const core = (verbs: Verbs, ...resources: string[]): Target[] => resources.map((r) => target('', r, verbs));
const inGroup = (group: string, verbs: Verbs, ...resources: string[]): Target[] => resources.map((r) => target(group, r, verbs));

function target(group: string, combined: string, verbs: Verbs): Target {
  const slash = combined.indexOf('/');
  if (slash < 0) return { group, resource: combined, verbs };
  return { group, resource: combined.slice(0, slash), subresource: combined.slice(slash + 1), verbs };
}

const RBAC = 'rbac.authorization.k8s.io';
const WRITE = ['create', 'update', 'patch'];
const MODIFY = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export const RESOURCE_RISKS: readonly ResourceRisk[] = [
  {
    id: 'secrets-read',
    targets: core(['get', 'list', 'watch'], 'secrets'),
    anchor: 'resource',
    effect: 'reveals Secret contents (list and watch return the data too)',
    named: { severity: 'information', effect: 'reveals the contents of those Secrets only' },
  },
  {
    id: 'token-create',
    targets: core(['create'], 'serviceaccounts/token', 'secrets'),
    anchor: 'resource',
    effect: 'mints ServiceAccount tokens (TokenRequest, or a service-account-token Secret the controller fills in)',
  },
  {
    id: 'secrets-write',
    // create is token-create's (a new Secret can be a service-account-token Secret); these change existing ones.
    targets: core(['update', 'patch', 'delete', 'deletecollection'], 'secrets'),
    anchor: 'resource',
    effect: 'replaces or deletes existing Secrets (TLS keys, image pull credentials, tokens other workloads use)',
    named: { severity: 'information', effect: 'replaces or deletes those Secrets only' },
  },
  {
    id: 'workload-create',
    targets: [
      ...core(WRITE, 'pods', 'replicationcontrollers'),
      ...inGroup('apps', WRITE, 'deployments', 'replicasets', 'statefulsets', 'daemonsets'),
      ...inGroup('batch', WRITE, 'jobs', 'cronjobs'),
    ],
    anchor: 'resource',
    effect: 'runs pods that can use any ServiceAccount, Secret and ConfigMap of the namespace',
  },
  {
    id: 'pods-exec',
    // Websocket exec/attach/portforward is authorised as get before 1.35; ephemeral containers are an update.
    targets: [...core(['get', 'create'], 'pods/exec', 'pods/attach', 'pods/portforward'), ...core(['update', 'patch'], 'pods/ephemeralcontainers')],
    anchor: 'resource',
    effect: 'runs commands in, attaches to or adds containers to running pods',
  },
  {
    id: 'escalate-verb',
    targets: inGroup(RBAC, ['escalate'], 'roles', 'clusterroles'),
    anchor: 'verb',
    effect: 'lets the holder write any permission into roles (bypasses escalation prevention)',
  },
  {
    id: 'bind-verb',
    targets: inGroup(RBAC, ['bind'], 'roles', 'clusterroles'),
    anchor: 'verb',
    effect: 'lets the holder bind roles with permissions it does not hold',
  },
  {
    id: 'binding-write',
    targets: inGroup(RBAC, WRITE, 'rolebindings', 'clusterrolebindings'),
    anchor: 'resource',
    effect: 'grants any role the holder holds or may bind to any subject, e.g. a ServiceAccount it controls',
  },
  {
    id: 'impersonate',
    targets: [
      ...core(['impersonate'], 'users', 'groups', 'serviceaccounts'),
      ...inGroup('authentication.k8s.io', ['impersonate'], 'uids', 'userextras/*'),
    ],
    anchor: 'verb',
    effect: 'acts as other users, groups or ServiceAccounts and gains their rights',
    roleEffect: 'acts as the namespace\'s ServiceAccounts and gains their rights',
  },
  {
    id: 'nodes-proxy',
    // The kubelet (and the apiserver's node proxy) authorise GET as get and POST as create: the verbs of its exec,
    // attach, portForward and run endpoints. PUT, PATCH and DELETE reach none of them.
    targets: core(['get', 'create'], 'nodes/proxy'),
    anchor: 'resource',
    effect: 'reaches the kubelet API: exec, attach, port-forward and run in every pod of the node, bypassing audit and admission (get is enough: websocket)',
    minor: {
      verbs: ['update', 'patch', 'delete'],
      effect: 'PUT, PATCH or DELETE requests to the kubelet API (PUT /debug/flags/v sets its log verbosity); exec, attach, port-forward and run take only get and create',
    },
  },
  {
    id: 'webhook-config',
    targets: inGroup('admissionregistration.k8s.io', MODIFY, 'validatingwebhookconfigurations', 'mutatingwebhookconfigurations'),
    anchor: 'resource',
    effect: 'controls admission webhooks that see and can change every admitted object',
  },
  {
    id: 'admission-policy-write',
    targets: inGroup(
      'admissionregistration.k8s.io',
      MODIFY,
      'validatingadmissionpolicies',
      'validatingadmissionpolicybindings',
      'mutatingadmissionpolicies',
      'mutatingadmissionpolicybindings',
    ),
    anchor: 'resource',
    effect: 'switches admission policy off or rewrites it: an edited or deleted policy or binding lifts what it enforced, a mutating policy changes every object it matches',
  },
  {
    id: 'apiservice-write',
    targets: inGroup('apiregistration.k8s.io', MODIFY, 'apiservices'),
    anchor: 'resource',
    effect: 'takes over an aggregated API group: an APIService\'s service and caBundle decide where the apiserver proxies that group\'s requests, with the caller\'s identity',
  },
  {
    id: 'crd-write',
    targets: inGroup('apiextensions.k8s.io', MODIFY, 'customresourcedefinitions'),
    anchor: 'resource',
    effect: 'controls CustomResourceDefinitions: a conversion webhook sees every object of the CRD, and deleting a CRD deletes all its objects',
  },
  {
    id: 'network-policy-modify',
    targets: inGroup('networking.k8s.io', MODIFY, 'networkpolicies'),
    anchor: 'resource',
    effect: 'changes the namespace\'s network isolation: a new, edited or deleted policy can open traffic the administrators blocked',
  },
  { id: 'pv-create', targets: core(['create'], 'persistentvolumes'), anchor: 'resource', effect: 'creates hostPath volumes: the node filesystem' },
  { id: 'namespace-modify', targets: core(['patch', 'update'], 'namespaces'), anchor: 'resource', effect: 'changes namespace labels such as Pod Security admission levels', roleEffect: 'changes the labels of the Role\'s own namespace (the one Namespace object a RoleBinding reaches), such as its Pod Security admission level' },
  {
    id: 'status-modify',
    targets: core(['update', 'patch'], 'pods/status', 'services/status', 'nodes/status'),
    anchor: 'resource',
    effect: 'rewrites status that other components trust (load-balancer IPs, pod and node conditions)',
    roleEffect: 'rewrites status that other components trust (load-balancer IPs, pod conditions)',
  },
];
