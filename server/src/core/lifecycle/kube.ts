// The handful of apiserver calls the identity flow makes, behind one interface so tests can inject
// failures and the flow reads as steps. Every error is a LiveError that keeps the apiserver's message.
import {
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1ClusterRoleBinding,
  type V1Role,
  type V1RoleBinding,
  type V1Secret,
  type V1ServiceAccount,
} from '@kubernetes/client-node';
import { ClusterApi, type AccessQuery, type Whoami } from '../live/clusterApi';
import { toLiveError, withTimeout } from '../live/liveError';
import { FIELD_MANAGER, type ObjectRef } from './types';

export interface TokenRequestSpec {
  readonly expirationSeconds: number;
  readonly boundSecret?: { readonly name: string; readonly uid: string };
  readonly audiences?: readonly string[];
}

export interface IssuedToken {
  /** The bearer token. Callers keep it in memory only and hand it to the kubeconfig builder. */
  readonly token: string;
  readonly expirationTimestamp: Date;
}

export interface IdentityCluster {
  whoami(): Promise<Whoami>;
  can(q: AccessQuery): Promise<boolean>;
  readServiceAccount(namespace: string, name: string): Promise<V1ServiceAccount | undefined>;
  readRole(namespace: string, name: string): Promise<V1Role | undefined>;
  readRoleBinding(namespace: string, name: string): Promise<V1RoleBinding | undefined>;
  /** Roles matching a label selector in one namespace. */
  listRoles(namespace: string, labelSelector: string): Promise<V1Role[]>;
  /** RoleBindings of one namespace, or of every namespace (`namespace` undefined); throws 'forbidden' like listSecrets. */
  listRoleBindings(namespace: string | undefined, labelSelector?: string): Promise<V1RoleBinding[]>;
  listClusterRoleBindings(): Promise<V1ClusterRoleBinding[]>;
  /** Server-side apply (field manager pipeline-rbac); `dryRun` asks the apiserver without persisting. */
  apply<T extends KubernetesObject>(obj: T, opts?: { dryRun?: boolean; force?: boolean }): Promise<T>;
  createSecret(namespace: string, body: V1Secret): Promise<V1Secret>;
  readSecret(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** Secrets matching a label selector; throws a LiveError of kind 'forbidden' when the user may not list them. */
  listSecrets(namespace: string, labelSelector: string): Promise<V1Secret[]>;
  requestToken(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<IssuedToken>;
  /** True when deleted, false when it was already gone. `uid`: a precondition (409 Conflict when another object has the name). */
  delete(ref: ObjectRef, opts?: { uid?: string }): Promise<boolean>;
}

/** The real apiserver, through @kubernetes/client-node. */
export class KubeIdentityCluster implements IdentityCluster {
  private readonly core: CoreV1Api;
  private readonly rbac: RbacAuthorizationV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly review: ClusterApi;

  constructor(
    kc: KubeConfig,
    private readonly timeoutMs = 20_000,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.review = new ClusterApi(kc, timeoutMs);
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withTimeout(fn(), this.timeoutMs, what).catch((err: unknown) => {
      throw toLiveError(err, what);
    });
  }

  /** undefined on 404. */
  private async read<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(what, fn);
    } catch (err) {
      if ((err as { kind?: string }).kind === 'not-found') return undefined;
      throw err;
    }
  }

  whoami(): Promise<Whoami> {
    return this.review.whoami();
  }

  can(q: AccessQuery): Promise<boolean> {
    return this.review.accessReview(q);
  }

  readServiceAccount(namespace: string, name: string) {
    return this.read(`reading ServiceAccount ${namespace}/${name}`, () => this.core.readNamespacedServiceAccount({ name, namespace }));
  }

  readRole(namespace: string, name: string) {
    return this.read(`reading Role ${namespace}/${name}`, () => this.rbac.readNamespacedRole({ name, namespace }));
  }

  readRoleBinding(namespace: string, name: string) {
    return this.read(`reading RoleBinding ${namespace}/${name}`, () => this.rbac.readNamespacedRoleBinding({ name, namespace }));
  }

  async listRoles(namespace: string, labelSelector: string): Promise<V1Role[]> {
    return (await this.call(`listing Roles in ${namespace}`, () => this.rbac.listNamespacedRole({ namespace, labelSelector }))).items;
  }

  async listRoleBindings(namespace: string | undefined, labelSelector?: string): Promise<V1RoleBinding[]> {
    const sel = labelSelector ? { labelSelector } : {};
    const r = namespace
      ? await this.call(`listing RoleBindings in ${namespace}`, () => this.rbac.listNamespacedRoleBinding({ namespace, ...sel }))
      : await this.call('listing RoleBindings in every namespace', () => this.rbac.listRoleBindingForAllNamespaces(sel));
    return r.items;
  }

  async listClusterRoleBindings(): Promise<V1ClusterRoleBinding[]> {
    return (await this.call('listing ClusterRoleBindings', () => this.rbac.listClusterRoleBinding())).items;
  }

  apply<T extends KubernetesObject>(obj: T, opts: { dryRun?: boolean; force?: boolean } = {}): Promise<T> {
    const what = `${opts.dryRun ? 'dry-run applying' : 'applying'} ${obj.kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`;
    return this.call(what, () =>
      this.objects.patch(obj, undefined, opts.dryRun ? 'All' : undefined, FIELD_MANAGER, opts.force ?? false, PatchStrategy.ServerSideApply),
    );
  }

  createSecret(namespace: string, body: V1Secret) {
    return this.call(`creating Secret ${namespace}/${body.metadata?.name}`, () =>
      this.core.createNamespacedSecret({ namespace, body, fieldManager: FIELD_MANAGER }),
    );
  }

  readSecret(namespace: string, name: string) {
    return this.read(`reading Secret ${namespace}/${name}`, () => this.core.readNamespacedSecret({ name, namespace }));
  }

  async listSecrets(namespace: string, labelSelector: string): Promise<V1Secret[]> {
    const r = await this.call(`listing Secrets in ${namespace}`, () => this.core.listNamespacedSecret({ namespace, labelSelector }));
    return r.items;
  }

  async requestToken(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<IssuedToken> {
    const r = await this.call(`requesting a token for ServiceAccount ${namespace}/${serviceAccount}`, () =>
      this.core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace,
        fieldManager: FIELD_MANAGER,
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: [...(spec.audiences ?? [])],
            expirationSeconds: spec.expirationSeconds,
            ...(spec.boundSecret ? { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: spec.boundSecret.name, uid: spec.boundSecret.uid } } : {}),
          },
        },
      }),
    );
    const token = r.status?.token;
    const exp = r.status?.expirationTimestamp;
    if (!token || !exp) throw toLiveError(new Error('the TokenRequest response has no token'), 'requesting a token');
    return { token, expirationTimestamp: exp instanceof Date ? exp : new Date(exp) };
  }

  async delete(ref: ObjectRef, opts: { uid?: string } = {}): Promise<boolean> {
    const { namespace, name } = ref;
    const what = `deleting ${ref.kind} ${namespace}/${name}`;
    const body = opts.uid ? { body: { preconditions: { uid: opts.uid } } } : {};
    const run = (): Promise<unknown> => {
      switch (ref.kind) {
        case 'ServiceAccount':
          return this.core.deleteNamespacedServiceAccount({ name, namespace, ...body });
        case 'Secret':
          return this.core.deleteNamespacedSecret({ name, namespace, ...body });
        case 'Role':
          return this.rbac.deleteNamespacedRole({ name, namespace, ...body });
        case 'RoleBinding':
          return this.rbac.deleteNamespacedRoleBinding({ name, namespace, ...body });
      }
    };
    try {
      await this.call(what, run);
      return true;
    } catch (err) {
      if ((err as { kind?: string }).kind === 'not-found') return false;
      throw err;
    }
  }
}

/** The names of the Roles in a namespace, sorted, for the "existing Role" choice. */
export async function listRoleNames(kc: KubeConfig, namespace: string): Promise<string[]> {
  const list = await kc.makeApiClient(RbacAuthorizationV1Api).listNamespacedRole({ namespace });
  return list.items
    .map((r) => r.metadata?.name ?? '')
    .filter(Boolean)
    .sort();
}
