/**
 * Reads what the identities model needs: cluster-wide where the user may, paginated, metadata only for
 * ServiceAccounts and Secrets. When a cluster-wide list is forbidden, that resource is listed per namespace instead
 * (the namespaces the user can see: the namespace list if allowed, else the ones given, plus the home namespaces of
 * ServiceAccounts named by readable bindings); a 403 there is recorded on that namespace and the rest goes on.
 * Secret data is never requested; if a server ignores the metadata-only Accept header the data is dropped at once.
 */
import { LiveError, toLiveError } from '../live/liveError';
import type { JsonGetter } from './http';
import { PREFIX, SA_NAME_ANNOTATION, SA_TOKEN_SECRET_TYPE, OWNER_LABEL } from './labels';
import type { ApiBinding, ApiRole, ApiSubject, Meta, MetaObject, Problem, Snapshot, TokenSecretMeta } from './types';

/** Metadata only (PartialObjectMetadataList), falling back to plain JSON for servers that cannot. */
const ACCEPT_META = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const ACCEPT_JSON = 'application/json';

export interface FetchRequest {
  /** Namespaces to read; undefined: all namespaces (cluster-wide lists, falling back per namespace on 403). */
  namespaces?: string[];
  /** Namespaces to try when cluster-wide listing is forbidden and namespaces cannot be listed (context's, settings). */
  fallbackNamespaces?: string[];
  /** Items per page (limit); default 500 like kubectl. */
  pageSize?: number;
  /** Parallel list calls when listing per namespace; default 8. */
  concurrency?: number;
}

type NamespacedKey = 'serviceaccounts' | 'legacyTokens' | 'boundTokens' | 'rolebindings' | 'roles';
type ClusterKey = 'namespaces' | 'clusterrolebindings' | 'clusterroles';

interface ListSpec {
  /** Name used in problems and readable keys (two Secret lists share "secrets"). */
  resource: string;
  base: string;
  plural: string;
  query?: string;
  meta: boolean;
}

const NAMESPACED: Record<NamespacedKey, ListSpec> = {
  serviceaccounts: { resource: 'serviceaccounts', base: '/api/v1', plural: 'serviceaccounts', meta: true },
  legacyTokens: {
    resource: 'secrets',
    base: '/api/v1',
    plural: 'secrets',
    query: `fieldSelector=${encodeURIComponent(`type=${SA_TOKEN_SECRET_TYPE}`)}`,
    meta: true,
  },
  boundTokens: { resource: 'secrets', base: '/api/v1', plural: 'secrets', query: `labelSelector=${encodeURIComponent(OWNER_LABEL)}`, meta: true },
  rolebindings: { resource: 'rolebindings', base: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', meta: false },
  roles: { resource: 'roles', base: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', meta: false },
};

const CLUSTER: Record<ClusterKey, ListSpec> = {
  namespaces: { resource: 'namespaces', base: '/api/v1', plural: 'namespaces', meta: true },
  clusterrolebindings: { resource: 'clusterrolebindings', base: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', meta: false },
  clusterroles: { resource: 'clusterroles', base: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', meta: false },
};

const NAMESPACED_KEYS = Object.keys(NAMESPACED) as NamespacedKey[];

interface Lister {
  /** Every item of the list, each passed through `map` as its page arrives (raw pages are dropped early). */
  list<T>(spec: ListSpec, namespace: string | undefined, map: (item: unknown) => T): Promise<T[]>;
}

/** Reads every page of one list (limit/continue); a continue token that expired (410) restarts the list once. */
function pagedLister(http: JsonGetter, pageSize: number): Lister {
  return {
    async list(spec, namespace, map) {
      const where = namespace ? ` in namespace ${namespace}` : ' in all namespaces';
      const what = `listing ${spec.resource}${where}`;
      const path = namespace ? `${spec.base}/namespaces/${encodeURIComponent(namespace)}/${spec.plural}` : `${spec.base}/${spec.plural}`;
      let restarted = false;
      for (;;) {
        const items: ReturnType<typeof map>[] = [];
        let cont: string | undefined;
        try {
          do {
            const q = [`limit=${pageSize}`, spec.query, cont ? `continue=${encodeURIComponent(cont)}` : undefined].filter(Boolean).join('&');
            const body = (await http.getJson(`${path}?${q}`, spec.meta ? ACCEPT_META : ACCEPT_JSON, what)) as {
              items?: unknown[];
              metadata?: { continue?: string };
            };
            for (const item of body.items ?? []) items.push(map(item));
            cont = body.metadata?.continue || undefined;
          } while (cont);
          return items;
        } catch (err) {
          if (!restarted && err instanceof LiveError && err.status === 410) {
            restarted = true;
            continue;
          }
          throw err;
        }
      }
    },
  };
}

// ---------------------------------------------------------------- normalisation (drops everything not needed)

function pickMeta(raw: unknown, keepAnnotation: (key: string) => boolean = () => true): Meta {
  const m = (raw ?? {}) as Record<string, unknown>;
  const out: Meta = { name: String(m.name ?? '') };
  if (typeof m.namespace === 'string') out.namespace = m.namespace;
  if (typeof m.uid === 'string') out.uid = m.uid;
  if (typeof m.creationTimestamp === 'string') out.creationTimestamp = m.creationTimestamp;
  if (m.labels && typeof m.labels === 'object') out.labels = { ...(m.labels as Record<string, string>) };
  if (m.annotations && typeof m.annotations === 'object') {
    const ann: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.annotations as Record<string, string>)) if (keepAnnotation(k)) ann[k] = v;
    out.annotations = ann;
  }
  return out;
}

function metaOf(item: unknown): unknown {
  return (item as { metadata?: unknown } | null)?.metadata;
}

/** ServiceAccount: metadata only, and only our annotations (last-applied-configuration can be large). */
function toServiceAccount(item: unknown): MetaObject {
  return { metadata: pickMeta(metaOf(item), (k) => k.startsWith(PREFIX)) };
}

/**
 * Secret: metadata only, and only the annotations we read. `kubectl.kubernetes.io/last-applied-configuration` of a
 * Secret applied from a manifest holds its data, so no other annotation is ever kept.
 */
function toTokenSecret(item: unknown, source: TokenSecretMeta['source']): TokenSecretMeta {
  return { metadata: pickMeta(metaOf(item), (k) => k === SA_NAME_ANNOTATION || k.startsWith(PREFIX)), source };
}

function toBinding(item: unknown, kind: ApiBinding['kind']): ApiBinding {
  const o = item as { metadata?: unknown; roleRef?: ApiBinding['roleRef']; subjects?: ApiSubject[] };
  return {
    kind,
    metadata: pickMeta(o.metadata, (k) => k.startsWith(PREFIX)),
    roleRef: { apiGroup: o.roleRef?.apiGroup, kind: String(o.roleRef?.kind ?? ''), name: String(o.roleRef?.name ?? '') },
    subjects: (o.subjects ?? []).map((s) => ({
      kind: String(s.kind ?? ''),
      name: String(s.name ?? ''),
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(s.apiGroup !== undefined ? { apiGroup: s.apiGroup } : {}),
    })),
  };
}

function toRole(item: unknown, kind: ApiRole['kind']): ApiRole {
  const o = item as { metadata?: unknown; rules?: ApiRole['rules'] | null; aggregationRule?: ApiRole['aggregationRule'] };
  const role: ApiRole = { kind, metadata: pickMeta(o.metadata, (k) => k.startsWith(PREFIX)), rules: o.rules ?? [] };
  if (o.aggregationRule) role.aggregationRule = { clusterRoleSelectors: o.aggregationRule.clusterRoleSelectors ?? [] };
  return role;
}

// ---------------------------------------------------------------- the fetch

interface Collected {
  serviceaccounts: MetaObject[];
  legacyTokens: TokenSecretMeta[];
  boundTokens: TokenSecretMeta[];
  rolebindings: ApiBinding[];
  roles: ApiRole[];
}

const NORMALISE: { [K in NamespacedKey]: (item: unknown) => Collected[K][number] } = {
  serviceaccounts: toServiceAccount,
  legacyTokens: (i) => toTokenSecret(i, 'legacy-type'),
  boundTokens: (i) => toTokenSecret(i, 'bound-label'),
  rolebindings: (i) => toBinding(i, 'RoleBinding'),
  roles: (i) => toRole(i, 'Role'),
};

/** Errors that mean "you may not read this here": recorded, not thrown. Anything else (unreachable, 401) is fatal. */
function isLocal(err: LiveError): boolean {
  return err.kind === 'forbidden' || err.kind === 'not-found';
}

async function mapPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export async function fetchSnapshot(http: JsonGetter & { requests?: number }, req: FetchRequest = {}): Promise<Snapshot> {
  const started = Date.now();
  const requestsBefore = http.requests ?? 0;
  let listRequests = 0;
  const counting: JsonGetter = {
    getJson: (path, accept, what) => {
      listRequests++;
      return http.getJson(path, accept, what);
    },
  };
  const lister = pagedLister(counting, req.pageSize ?? 500);
  const concurrency = req.concurrency ?? 8;
  const problems: Problem[] = [];
  const readable = new Set<string>();
  const collected: Collected = { serviceaccounts: [], legacyTokens: [], boundTokens: [], rolebindings: [], roles: [] };

  const record = (spec: ListSpec, namespace: string | undefined, err: unknown): void => {
    const e = toLiveError(err, `listing ${spec.resource}`);
    if (!isLocal(e)) throw e;
    problems.push({ resource: spec.resource, ...(namespace ? { namespace } : {}), kind: e.kind, message: e.message });
  };

  const tryList = async <T>(spec: ListSpec, namespace: string | undefined, map: (item: unknown) => T): Promise<T[] | undefined> => {
    try {
      const items = await lister.list(spec, namespace, map);
      if (spec.resource !== 'secrets') readable.add(`${spec.resource}/${namespace ?? '*'}`);
      return items;
    } catch (err) {
      record(spec, namespace, err);
      return undefined;
    }
  };

  // Which namespaced lists succeeded where (`${key}/${namespace or *}`).
  const okKeys = new Set<string>();
  const listNamespaced = async (key: NamespacedKey, namespace: string | undefined): Promise<boolean> => {
    const items = await tryList(NAMESPACED[key], namespace, NORMALISE[key]);
    if (!items) return false;
    okKeys.add(`${key}/${namespace ?? '*'}`);
    const into = collected[key] as unknown[];
    for (const item of items) into.push(item);
    return true;
  };

  const allNamespaces = req.namespaces === undefined;
  const clusterLists = Promise.all([
    allNamespaces ? tryList(CLUSTER.namespaces, undefined, (i) => pickMeta(metaOf(i)).name) : Promise.resolve(undefined),
    tryList(CLUSTER.clusterrolebindings, undefined, (i) => toBinding(i, 'ClusterRoleBinding')),
    tryList(CLUSTER.clusterroles, undefined, (i) => toRole(i, 'ClusterRole')),
  ]);
  const namespacedLists = allNamespaces ? Promise.all(NAMESPACED_KEYS.map((k) => listNamespaced(k, undefined))) : Promise.resolve([]);
  // One await for both, so a fatal error in one never leaves the other's rejection unhandled.
  const [[nsItems, crbItems, crItems], wide] = await Promise.all([clusterLists, namespacedLists]);
  const clusterWideOk = new Set<NamespacedKey>(NAMESPACED_KEYS.filter((_, i) => wide[i] === true));
  const clusterRoleBindings = crbItems ?? [];
  const clusterRoles = crItems ?? [];

  // The namespaces in scope, in a stable order.
  const scope = new Set<string>();
  const knownNamespaces = nsItems;
  if (allNamespaces) {
    for (const n of knownNamespaces ?? []) scope.add(n);
    for (const list of [collected.serviceaccounts, collected.legacyTokens, collected.boundTokens, collected.rolebindings, collected.roles]) {
      for (const o of list) if (o.metadata.namespace) scope.add(o.metadata.namespace);
    }
    if (!knownNamespaces) for (const n of req.fallbackNamespaces ?? []) scope.add(n);
  } else {
    for (const n of req.namespaces ?? []) scope.add(n);
  }

  const listIn = async (namespaces: readonly string[]): Promise<void> => {
    const jobs: [NamespacedKey, string][] = [];
    for (const ns of namespaces) for (const k of NAMESPACED_KEYS) if (!clusterWideOk.has(k)) jobs.push([k, ns]);
    await mapPool(jobs, concurrency, async ([k, ns]) => {
      await listNamespaced(k, ns);
    });
  };
  await listIn([...scope]);

  // One discovery round: ServiceAccounts named by readable RoleBindings live in namespaces we may not have listed
  // (often ones the user cannot read); list them too so their node can say so.
  const discovered = new Set<string>();
  const bindingsForDiscovery = allNamespaces ? [...collected.rolebindings, ...clusterRoleBindings] : collected.rolebindings;
  for (const b of bindingsForDiscovery) {
    for (const s of b.subjects ?? []) {
      if (s.kind !== 'ServiceAccount') continue;
      const ns = s.namespace ?? b.metadata.namespace;
      if (ns && !scope.has(ns)) discovered.add(ns);
    }
  }
  for (const ns of discovered) scope.add(ns);
  await listIn([...discovered]);

  // Secrets are "readable" somewhere only when both Secret lists succeeded there.
  for (const entry of okKeys) {
    const where = entry.slice(entry.indexOf('/') + 1);
    if (okKeys.has(`legacyTokens/${where}`) && okKeys.has(`boundTokens/${where}`)) readable.add(`secrets/${where}`);
  }

  return {
    clusterWide: allNamespaces && clusterWideOk.size === NAMESPACED_KEYS.length,
    namespaces: [...scope].sort(),
    ...(knownNamespaces ? { knownNamespaces } : {}),
    serviceAccounts: collected.serviceaccounts,
    tokenSecrets: dedupeSecrets([...collected.legacyTokens, ...collected.boundTokens]),
    roleBindings: collected.rolebindings,
    clusterRoleBindings,
    roles: collected.roles,
    clusterRoles,
    readable: [...readable].sort(),
    problems: dedupeProblems(problems),
    stats: { listRequests, otherRequests: Math.max(0, (http.requests ?? 0) - requestsBefore - listRequests), fetchMs: Date.now() - started },
  };
}

/** A Secret in both lists (a legacy-type Secret that also carries our label) counts once, as legacy. */
function dedupeSecrets(secrets: TokenSecretMeta[]): TokenSecretMeta[] {
  const seen = new Map<string, TokenSecretMeta>();
  for (const s of secrets) {
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const prev = seen.get(key);
    if (!prev || (prev.source === 'bound-label' && s.source === 'legacy-type')) seen.set(key, s);
  }
  return [...seen.values()];
}

/** The two Secret lists fail together; one problem per (resource, namespace) is enough. */
function dedupeProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.resource}/${p.namespace ?? '*'}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
