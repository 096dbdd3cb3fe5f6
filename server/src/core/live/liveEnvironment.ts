import type { AnalyzeOptions } from '../engine/analyze';
import type { RoleResolver } from '../engine/roleIndex';
import { builtinCatalog, catalogFromDiscovery, type ApiCatalog } from '../engine/catalog/apiCatalog';
import type { Finding, PolicyRule, RbacObject } from '../engine/model';
import { LIVE_NAMESPACES_PER_FILE, liveNamespaceOf, liveNamespaces } from '../engine/rbac/liveScope';
import { bindAccessKey, escalateAccessKey, SUPERUSER_GROUP, type HeldPermissions, type NamespaceRules } from '../engine/rbac/heldPermissions';
import type { AnalysisEnvironment } from '../shared/environment';
import type { LiveStatus } from '../shared/protocol';
import type { PipelineRbacSettings } from '../shared/settings';
import type { ClusterApi, RulesReview, Whoami } from './clusterApi';
import { clusterModules } from './clusterLoader';
import type { LoadedKubeconfig } from './kubeconfig';
import { LiveError } from './liveError';
import { TtlCache } from './ttlCache';

/** After a failure, wait this long before trying the cluster again, so typing never hammers a dead endpoint. */
const RETRY_AFTER_MS = 30_000;

interface Connection {
  key: string;
  loaded: LoadedKubeconfig;
  api: ClusterApi;
}

/**
 * Analysis options backed by the live cluster: the editing user's held rules (SelfSubjectRulesReview per namespace),
 * escalate/bind answers (SelfSubjectAccessReview), discovery and existing roles. Everything is cached with a TTL;
 * `options` answers from the cache at once (an expired answer until its re-read lands) and `refresh` fetches what is
 * missing or expired.
 */
export class LiveEnvironment implements AnalysisEnvironment {
  private conn: Connection | undefined;
  private failedUntil = 0;
  private failedKey = '';
  private readonly whoami = new TtlCache<Whoami>(60_000);
  private readonly rules = new TtlCache<NamespaceRules>(60_000);
  private readonly access = new TtlCache<boolean>(60_000);
  private readonly roles = new TtlCache<PolicyRule[] | null>(60_000);
  private readonly discovery = new TtlCache<ApiCatalog>(600_000);
  private lastStatus: LiveStatus | undefined;

  constructor(private readonly onStatus: (s: LiveStatus) => void = () => {}) {}

  /** Forget everything cached (the user asked to refresh, or switched context). */
  invalidate(): void {
    for (const c of [this.whoami, this.rules, this.access, this.roles, this.discovery]) c.clear();
    this.conn = undefined;
    this.failedUntil = 0;
  }

  /** The dry-run check of objects as the editing user; throws a LiveError when there is no usable cluster. */
  async dryRun(settings: PipelineRbacSettings, objects: RbacObject[]): Promise<Finding[]> {
    const conn = this.connect(settings);
    if (!conn) throw new LiveError(this.lastStatus?.message ?? 'no cluster connection', 'unreachable');
    try {
      return await clusterModules().dryRunFindings(conn.loaded.kc, objects, settings.namespace || conn.loaded.namespace);
    } catch (err) {
      this.fail(conn, err);
      throw err;
    }
  }

  options(settings: PipelineRbacSettings): AnalyzeOptions {
    const base: AnalyzeOptions = { catalog: builtinCatalog(), severities: settings.rules };
    const conn = this.usable(settings);
    if (!conn) return base;
    const catalog = this.discovery.peekStale(conn.key) ?? base.catalog;
    const who = this.whoami.peekStale(conn.key);
    const namespaces: Record<string, NamespaceRules> = {};
    const prefix = `${conn.key}\u0000`;
    for (const [k, v] of this.cachedEntries(this.rules, prefix)) namespaces[k] = v;
    const access: Record<string, boolean> = {};
    for (const [k, v] of this.cachedEntries(this.access, prefix)) access[k] = v;
    const held: HeldPermissions = {
      source: `live: context ${conn.loaded.context}`,
      ...(who ? { user: who, superuser: who.groups.includes(SUPERUSER_GROUP) } : {}),
      namespaces,
      access,
      liveNamespaceLimit: LIVE_NAMESPACES_PER_FILE,
    };
    const liveRoles: RoleResolver = (kind, name, ns) => this.roles.peekStale(`${prefix}${kind}/${ns}/${name}`) ?? undefined;
    return {
      ...base,
      catalog,
      held,
      defaultNamespace: settings.namespace || conn.loaded.namespace,
      resolveRole: liveRoles,
      liveRoles,
    };
  }

  async refresh(settings: PipelineRbacSettings, objects: RbacObject[]): Promise<boolean> {
    const conn = this.connect(settings);
    if (!conn) return false;
    const p = `${conn.key}\u0000`;
    const ns = settings.namespace || conn.loaded.namespace;
    const tasks: Promise<unknown>[] = [];
    let changed = false;
    const want = <V>(cache: TtlCache<V>, key: string, load: () => Promise<V>) => {
      if (cache.has(key)) return;
      changed = true;
      tasks.push(cache.load(key, load));
    };
    want(this.whoami, conn.key, () => conn.api.whoami());
    want(this.discovery, conn.key, async () => catalogFromDiscovery(await conn.api.discovery()));
    // At most LIVE_NAMESPACES_PER_FILE namespaces per file; the analysis names the rest in one finding.
    const { read } = liveNamespaces(objects, ns);
    for (const o of objects) {
      const namespace = liveNamespaceOf(o, ns);
      if (!read.has(namespace)) continue;
      want(this.rules, `${p}${namespace}`, () => this.rulesFor(conn.api, namespace));
      if (o.kind === 'Role' || o.kind === 'ClusterRole') {
        const key = escalateAccessKey(o.kind, namespace);
        want(this.access, `${p}${key}`, () =>
          conn.api.accessReview({ verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: o.kind === 'Role' ? 'roles' : 'clusterroles', namespace }),
        );
      }
      const ref = o.roleRef;
      if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && ref && (ref.kind === 'Role' || ref.kind === 'ClusterRole')) {
        const refKind = ref.kind;
        want(this.access, `${p}${bindAccessKey(refKind, namespace, ref.name)}`, () =>
          conn.api.accessReview({ verb: 'bind', group: 'rbac.authorization.k8s.io', resource: refKind === 'Role' ? 'roles' : 'clusterroles', namespace, name: ref.name }),
        );
        const roleNs = refKind === 'Role' ? namespace : '';
        want(this.roles, `${p}${refKind}/${roleNs}/${ref.name}`, async () => (await conn.api.roleRules(refKind, ref.name, roleNs)) ?? null);
      }
    }
    if (!changed) return false;
    this.status({ state: 'connecting', context: conn.loaded.context, message: `Reading your permissions from ${conn.loaded.server}...` });
    const results = await Promise.allSettled(tasks);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      this.fail(conn, failure.reason);
      return true;
    }
    const who = this.whoami.peek(conn.key);
    this.status({
      state: 'connected',
      context: conn.loaded.context,
      ...(who ? { user: who.username } : {}),
      message: `Checking against the live permissions of ${who?.username ?? 'you'} in context ${conn.loaded.context} (${conn.loaded.server}).`,
    });
    return true;
  }

  /** Cluster-wide rules: SelfSubjectRulesReview of a namespace has RoleBinding rules mixed in, so ask for "" first. */
  private async rulesFor(api: ClusterApi, namespace: string): Promise<NamespaceRules> {
    const review: RulesReview = await api.rulesReview(namespace === '' ? CLUSTER_SCOPE_PROBE : namespace);
    return {
      rules: [...review.resourceRules, ...review.nonResourceRules],
      incomplete: review.incomplete,
    };
  }

  private usable(settings: PipelineRbacSettings): Connection | undefined {
    if (!settings.live.enable) return undefined;
    const key = connectionKey(settings);
    return this.conn?.key === key ? this.conn : undefined;
  }

  private connect(settings: PipelineRbacSettings): Connection | undefined {
    if (!settings.live.enable) {
      this.status({ state: 'disabled', message: 'Live checks are off (pipelineRbac.live.enable).' });
      return undefined;
    }
    const key = connectionKey(settings);
    if (this.conn?.key === key) return this.conn;
    if (this.failedKey === key && Date.now() < this.failedUntil) return undefined;
    const { ClusterApi, KubeconfigError, loadKubeconfig } = clusterModules();
    try {
      const loaded = loadKubeconfig({ kubeconfig: settings.kubeconfig, context: settings.context, trusted: settings.trusted });
      // Discovery changes rarely (CRD installs); it keeps its own, longer TTL.
      for (const c of [this.rules, this.access, this.roles, this.whoami]) c.setTtl(settings.live.cacheTtlSeconds * 1000);
      this.conn = { key, loaded, api: new ClusterApi(loaded.kc) };
      return this.conn;
    } catch (err) {
      this.failedKey = key;
      this.failedUntil = Date.now() + RETRY_AFTER_MS;
      const message = err instanceof KubeconfigError ? err.message : String(err);
      this.status({ state: err instanceof KubeconfigError && err.reason === 'untrusted-exec' ? 'disabled' : 'offline', message: `Offline checks only: ${message}.` });
      return undefined;
    }
  }

  private fail(conn: Connection, reason: unknown): void {
    const e = reason instanceof LiveError ? reason : new LiveError(String(reason), 'other');
    this.conn = undefined;
    this.failedKey = conn.key;
    this.failedUntil = Date.now() + RETRY_AFTER_MS;
    this.status({
      state: e.kind === 'unauthorized' ? 'unauthorized' : 'unreachable',
      context: conn.loaded.context,
      message: `Offline checks only: ${e.message}`,
    });
  }

  private status(s: LiveStatus): void {
    if (this.lastStatus && this.lastStatus.state === s.state && this.lastStatus.message === s.message) return;
    this.lastStatus = s;
    this.onStatus(s);
  }

  private *cachedEntries<V>(cache: TtlCache<V>, prefix: string): Iterable<[string, V]> {
    for (const key of cache.keys()) {
      if (!key.startsWith(prefix)) continue;
      const v = cache.peekStale(key);
      if (v !== undefined) yield [key.slice(prefix.length), v];
    }
  }
}

/**
 * SelfSubjectRulesReview needs a namespace; one that holds no RoleBindings yields only the ClusterRoleBinding rules,
 * which is exactly what a ClusterRole is checked against. A name nobody would create.
 */
export const CLUSTER_SCOPE_PROBE = 'pipeline-rbac-cluster-scope-probe-0';

function connectionKey(s: PipelineRbacSettings): string {
  return JSON.stringify([s.kubeconfig, s.context, s.trusted, process.env.KUBECONFIG ?? '']);
}
