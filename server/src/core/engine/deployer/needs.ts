/**
 * What a deploy tool needs on the cluster to apply the manifests, besides nothing else (pure). Worked out from the
 * tools' sources (docs/deployers.md):
 * - `kubectl apply` (client-side): GETs each object, CREATEs it when missing, else PATCHes it (kubectl apply.go).
 * - `kubectl apply --server-side`: one PATCH (application/apply-patch+yaml) per object; creating an object that does
 *   not exist yet also needs `create` (the apiserver authorizes the create path of an apply as a create).
 * - `helm upgrade --install` (v3): GETs each object (ownership check on install, current state on upgrade), CREATEs
 *   new ones, PATCHes existing ones (three-way merge) and DELETEs those a new chart version drops (pkg/kube/client.go);
 *   the release records are Secrets in the release namespace: list (history), create (new revision), update (mark
 *   superseded), get + delete (pruning past --history-max) (pkg/storage/driver/secrets.go).
 * A manifest that is itself RBAC can only be created by someone who holds everything it grants (or may `escalate`
 * roles / `bind` the role): the apiserver's escalation prevention.
 */
import type { PolicyRule } from '../model';
import { groupOf, guessResource, type KindResolver } from '../leastPrivilege/needed';

export const DEPLOYERS = ['kubectl', 'server-side-apply', 'helm'] as const;
export type Deployer = (typeof DEPLOYERS)[number];

export function isDeployer(v: unknown): v is Deployer {
  return typeof v === 'string' && (DEPLOYERS as readonly string[]).includes(v);
}

/** One object the pipeline deploys, as read from a (rendered) manifest. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  /** metadata.name; missing in hand-built lists. */
  name?: string;
  namespace?: string;
  /** Where it was found, for messages ("chart/templates/hpa.yaml"). */
  source: string;
  /** Role/ClusterRole: the rules it grants. */
  rules?: PolicyRule[];
  /** RoleBinding/ClusterRoleBinding: the role it binds. */
  roleRef?: { kind: string; name: string };
}

/** One verb on one resource the deploy needs, and who needs it. */
export interface RequiredPermission {
  verb: string;
  group: string;
  resource: string;
  /** Object name for requests on one object ('' for create/list). */
  name: string;
  /** The object's namespace as written (undefined: the deploy's namespace). */
  namespace?: string;
  /** "HorizontalPodAutoscaler web", "release records (Secrets)". */
  object: string;
  source?: string;
  /** "`helm upgrade`". */
  action: string;
  /** Why beyond "to deploy it" (RBAC objects). */
  why?: string;
  /** The resource is cluster-scoped: no Role can grant it (only a ClusterRole bound cluster-wide). */
  clusterScoped?: boolean;
  /** Holding this instead also satisfies the need (escalate on roles, bind on a role). */
  alternative?: { verb: string; group: string; resource: string; name: string };
}

const ACTION: Record<Deployer, string> = {
  kubectl: '`kubectl apply`',
  'server-side-apply': '`kubectl apply --server-side`',
  helm: '`helm upgrade`',
};

/** Verbs the tool sends for each object, and whether the request names the object. */
const OBJECT_VERBS: Record<Deployer, string[]> = {
  kubectl: ['get', 'create', 'patch'],
  'server-side-apply': ['create', 'patch'],
  helm: ['get', 'create', 'patch', 'delete'],
};

const HELM_RELEASE_VERBS = ['get', 'list', 'create', 'update', 'delete'];
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const MAX_NEEDS = 20_000;

export function deployAction(deployer: Deployer): string {
  return ACTION[deployer];
}

/** (group, resource) -> namespaced?; undefined when unknown (treated as namespaced). */
export type ScopeResolver = (group: string, resource: string) => boolean | undefined;

export function deployerNeeds(objects: ManifestObject[], deployer: Deployer, resolve: KindResolver, namespaced?: ScopeResolver): RequiredPermission[] {
  const out: RequiredPermission[] = [];
  const action = ACTION[deployer];
  const roles = new Map<string, ManifestObject>();
  for (const o of objects) if ((o.kind === 'Role' || o.kind === 'ClusterRole') && o.rules && o.name) roles.set(`${o.kind}/${o.namespace ?? ''}/${o.name}`, o);
  for (const o of objects) {
    if (out.length > MAX_NEEDS) break;
    const group = groupOf(o.apiVersion);
    const resource = resolve(group, o.kind) ?? guessResource(o.kind);
    const name = o.name ?? '';
    const object = name ? `${o.kind} ${name}` : o.kind;
    const clusterScoped = namespaced?.(group, resource) === false;
    for (const verb of OBJECT_VERBS[deployer]) {
      out.push({
        verb, group, resource, name: verb === 'create' ? '' : name, object, source: o.source, action,
        ...(o.namespace ? { namespace: o.namespace } : {}),
        ...(clusterScoped ? { clusterScoped } : {}),
      });
    }
    out.push(...rbacGrantNeeds(o, roles, action));
  }
  if (deployer === 'helm' && objects.length > 0) {
    for (const verb of HELM_RELEASE_VERBS) {
      out.push({ verb, group: '', resource: 'secrets', name: '', object: 'its release records (Secrets in the release namespace)', action });
    }
  }
  return out;
}

/** Creating a Role/ClusterRole or binding one needs its grants (or escalate / bind). */
function rbacGrantNeeds(o: ManifestObject, roles: Map<string, ManifestObject>, action: string): RequiredPermission[] {
  let granted: PolicyRule[] | undefined;
  let alternative: RequiredPermission['alternative'];
  let why: string;
  if (!o.name) return [];
  if ((o.kind === 'Role' || o.kind === 'ClusterRole') && o.rules) {
    granted = o.rules;
    alternative = { verb: 'escalate', group: RBAC_GROUP, resource: o.kind === 'Role' ? 'roles' : 'clusterroles', name: o.name };
    why = `the apiserver lets the pipeline create ${o.kind} ${o.name} only if it holds every permission the ${o.kind} grants (or may escalate it)`;
  } else if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && o.roleRef) {
    const ns = o.roleRef.kind === 'Role' ? (o.namespace ?? '') : '';
    const role = roles.get(`${o.roleRef.kind}/${ns}/${o.roleRef.name}`);
    if (!role?.rules) return []; // a role we cannot see: what it grants is unknown here
    granted = role.rules;
    alternative = { verb: 'bind', group: RBAC_GROUP, resource: o.roleRef.kind === 'Role' ? 'roles' : 'clusterroles', name: o.roleRef.name };
    why = `the apiserver lets the pipeline bind ${o.roleRef.kind} ${o.roleRef.name} only if it holds every permission it grants (or may bind it)`;
  } else return [];
  const out: RequiredPermission[] = [];
  for (const r of granted) {
    if (r.nonResourceURLs?.length) continue; // only a ClusterRole can hold them; not a deploy permission of a Role
    for (const verb of r.verbs) {
      for (const group of r.apiGroups ?? []) {
        for (const resource of r.resources ?? []) {
          for (const name of r.resourceNames?.length ? r.resourceNames : ['']) {
            out.push({ verb, group, resource, name, object: `${o.kind} ${o.name}`, source: o.source, action, why, alternative });
          }
        }
      }
    }
  }
  return out;
}
