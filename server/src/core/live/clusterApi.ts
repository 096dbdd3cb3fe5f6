import {
  ApisApi,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  type KubeConfig,
  VersionApi,
} from '@kubernetes/client-node';
import type { DiscoveryData, DiscoveryResourceList } from '../engine/catalog/catalogFile';
import type { PolicyRule } from '../engine/model';
import { toLiveError, withTimeout } from './liveError';
import { RequestPool } from './requestPool';

/** Requests to one cluster in flight at once. */
export const MAX_IN_FLIGHT = 8;

export interface RulesReview {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface AccessQuery {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface Whoami {
  username: string;
  groups: string[];
}

/** The few apiserver calls the analysis needs, each with a timeout and a classified error. */
export class ClusterApi {
  private readonly authz: AuthorizationV1Api;
  private readonly authn: AuthenticationV1Api;
  private readonly rbac: RbacAuthorizationV1Api;

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs = 10_000,
  ) {
    this.authz = kc.makeApiClient(AuthorizationV1Api);
    this.authn = kc.makeApiClient(AuthenticationV1Api);
    this.rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  }

  /** Requests to the cluster in flight at once (the language server and `check --live` both come through here). */
  private readonly pool = new RequestPool(MAX_IN_FLIGHT);

  /** One request: waits for a slot in the pool, then the timeout runs. */
  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return this.pool.run(() => withTimeout(fn(), this.timeoutMs, what)).catch((err: unknown) => {
      throw toLiveError(err, what);
    });
  }

  whoami(): Promise<Whoami> {
    return this.call('asking who you are (SelfSubjectReview)', async () => {
      const r = await this.authn.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
      const u = r.status?.userInfo;
      return { username: u?.username ?? '(unknown)', groups: u?.groups ?? [] };
    });
  }

  rulesReview(namespace: string): Promise<RulesReview> {
    return this.call(`reading your rules in namespace ${namespace}`, async () => {
      const r = await this.authz.createSelfSubjectRulesReview({ body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } } });
      const s = r.status;
      return {
        resourceRules: (s?.resourceRules ?? []).map((x) => ({
          verbs: x.verbs,
          apiGroups: x.apiGroups ?? [],
          resources: x.resources ?? [],
          ...(x.resourceNames?.length ? { resourceNames: x.resourceNames } : {}),
        })),
        nonResourceRules: (s?.nonResourceRules ?? []).map((x) => ({ verbs: x.verbs, nonResourceURLs: x.nonResourceURLs ?? [] })),
        incomplete: s?.incomplete === true,
        ...(s?.evaluationError ? { evaluationError: s.evaluationError } : {}),
      };
    });
  }

  accessReview(q: AccessQuery): Promise<boolean> {
    return this.call(`asking whether you may ${q.verb} ${q.resource}`, async () => {
      const r = await this.authz.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb: q.verb, group: q.group, resource: q.resource, subresource: q.subresource, namespace: q.namespace, name: q.name } },
        },
      });
      return r.status?.allowed === true;
    });
  }

  /** Groups, every served group version's resources, and the version: what the API catalog is built from. */
  async discovery(): Promise<DiscoveryData> {
    const what = 'reading the API discovery';
    const apis = this.kc.makeApiClient(ApisApi);
    const core = this.kc.makeApiClient(CoreV1Api);
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    // Each request takes its own slot in the pool (one holding a slot while waiting for others could starve).
    const [groupList, coreList, version] = await Promise.all([
      this.call(what, () => apis.getAPIVersions()),
      this.call(what, () => core.getAPIResources()),
      this.call(what, () => this.kc.makeApiClient(VersionApi).getCode()).catch(() => undefined),
    ]);
    const resourceLists: DiscoveryResourceList[] = [coreList];
    // An aggregated API that is down (503) must not hide the rest of the catalog: skip the versions that fail.
    await Promise.allSettled(
      groupList.groups.flatMap((g) =>
        g.versions.map(async (v) => {
          resourceLists.push(await this.call(what, () => custom.getAPIResources({ group: g.name, version: v.version })));
        }),
      ),
    );
    return { groups: groupList.groups, resourceLists, ...(version ? { kubernetesVersion: version.gitVersion } : {}) };
  }

  /** The rules of an existing Role/ClusterRole, or undefined when it does not exist or cannot be read. */
  async roleRules(kind: 'Role' | 'ClusterRole', name: string, namespace: string): Promise<PolicyRule[] | undefined> {
    try {
      const role = await this.call(`reading ${kind} ${name}`, () =>
        kind === 'Role' ? this.rbac.readNamespacedRole({ name, namespace }) : this.rbac.readClusterRole({ name }),
      );
      return (role.rules ?? []).map((r) => ({
        verbs: r.verbs,
        ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
        ...(r.resources ? { resources: r.resources } : {}),
        ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
        ...(r.nonResourceURLs ? { nonResourceURLs: r.nonResourceURLs } : {}),
      }));
    } catch (err) {
      const e = toLiveError(err, `reading ${kind} ${name}`);
      if (e.kind === 'not-found' || e.kind === 'forbidden') return undefined;
      throw e;
    }
  }
}
