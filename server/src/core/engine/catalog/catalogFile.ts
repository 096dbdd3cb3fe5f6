/**
 * The on-disk format of schemas/api-catalog.json and its construction from API discovery.
 * Discovery input types are structural subsets of what @kubernetes/client-node returns
 * (V1APIGroupList.groups, V1APIResourceList), so the engine does not depend on that package.
 */

/** One resource or subresource as discovery lists it (V1APIResource). */
export interface DiscoveryResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

/** V1APIResourceList: the resources of one group version (`v1` for the core group). */
export interface DiscoveryResourceList {
  groupVersion: string;
  resources: DiscoveryResource[];
}

/** V1APIGroup. */
export interface DiscoveryGroup {
  name: string;
  versions: { groupVersion: string; version: string }[];
  preferredVersion?: { groupVersion: string; version: string };
}

export interface DiscoveryData {
  /** APIGroupList.groups (the core group may be absent: it is implied by a `v1` resource list). */
  groups: DiscoveryGroup[];
  /** One APIResourceList per served group version. */
  resourceLists: DiscoveryResourceList[];
  /** /version gitVersion, when known. */
  kubernetesVersion?: string;
  /** The apiserver root's `paths` (GET /), when known: source of the non-resource URLs. */
  paths?: string[];
}

export interface CatalogFileSubresource {
  name: string;
  kind: string;
  verbs: string[];
}

export interface CatalogFileResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  subresources?: CatalogFileSubresource[];
}

export interface CatalogFileGroup {
  /** "" for the core group. */
  name: string;
  preferredVersion: string;
  versions: { version: string; resources: CatalogFileResource[] }[];
}

export interface CatalogFile {
  /** gitVersion of the apiserver the catalog was read from. */
  kubernetesVersion: string;
  groups: CatalogFileGroup[];
  /** Non-resource URL paths the apiserver serves (its root listing), excluding the resource API paths. */
  nonResourceURLs: string[];
}

/** Group of a groupVersion: "v1" -> "", "apps/v1" -> "apps". */
export function groupOf(groupVersion: string): { group: string; version: string } {
  const slash = groupVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: groupVersion } : { group: groupVersion.slice(0, slash), version: groupVersion.slice(slash + 1) };
}

/** Builds the catalog file contents from discovery, sorted so regenerating gives stable diffs. */
export function catalogFileFromDiscovery(data: DiscoveryData): CatalogFile {
  const groups = new Map<string, CatalogFileGroup>();
  const ensure = (name: string, preferred?: string): CatalogFileGroup => {
    let g = groups.get(name);
    if (!g) {
      g = { name, preferredVersion: preferred ?? '', versions: [] };
      groups.set(name, g);
    }
    if (preferred && !g.preferredVersion) g.preferredVersion = preferred;
    return g;
  };
  for (const g of data.groups ?? []) {
    if (typeof g?.name !== 'string') continue;
    ensure(g.name, g.preferredVersion?.version ?? g.versions?.[0]?.version);
  }
  for (const list of data.resourceLists ?? []) {
    if (typeof list?.groupVersion !== 'string') continue;
    const { group, version } = groupOf(list.groupVersion);
    const g = ensure(group, group === '' ? 'v1' : undefined);
    const byName = new Map<string, CatalogFileResource>();
    const subs: DiscoveryResource[] = [];
    for (const r of list.resources ?? []) {
      if (typeof r?.name !== 'string' || r.name === '') continue;
      if (r.name.includes('/')) subs.push(r);
      else byName.set(r.name, { name: r.name, kind: r.kind ?? '', namespaced: !!r.namespaced, verbs: sortedUnique(r.verbs ?? []) });
    }
    for (const s of subs) {
      const [parent, sub] = [s.name.slice(0, s.name.indexOf('/')), s.name.slice(s.name.indexOf('/') + 1)];
      const p = byName.get(parent);
      if (!p) continue;
      (p.subresources ??= []).push({ name: sub, kind: s.kind ?? '', verbs: sortedUnique(s.verbs ?? []) });
    }
    const resources = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const r of resources) r.subresources?.sort((a, b) => a.name.localeCompare(b.name));
    g.versions.push({ version, resources });
    if (!g.preferredVersion) g.preferredVersion = version;
  }
  const out: CatalogFileGroup[] = [...groups.values()].sort((a, b) => (a.name === '' ? -1 : b.name === '' ? 1 : a.name.localeCompare(b.name)));
  for (const g of out) g.versions.sort((a, b) => a.version.localeCompare(b.version));
  return {
    kubernetesVersion: data.kubernetesVersion ?? '',
    groups: out,
    nonResourceURLs: nonResourcePaths(data.paths ?? []),
  };
}

/**
 * Root paths minus the resource API (/api/v1, /apis/apps, ...), which RBAC reaches through resource rules.
 * A first segment with many children (/healthz/etcd, /healthz/ping, ...) is summarised as its `/seg/*` prefix,
 * the form a nonResourceURLs rule uses.
 */
function nonResourcePaths(paths: string[]): string[] {
  const kept = sortedUnique(paths.filter((p) => typeof p === 'string' && p.startsWith('/') && !/^\/apis?\/./.test(p)));
  const children = new Map<string, string[]>();
  for (const p of kept) {
    const m = /^(\/[^/]+)\/./.exec(p);
    if (m) children.set(m[1]!, [...(children.get(m[1]!) ?? []), p]);
  }
  const out: string[] = [];
  for (const p of kept) {
    const m = /^(\/[^/]+)\/./.exec(p);
    if (m && children.get(m[1]!)!.length > 4) out.push(`${m[1]}/*`);
    else out.push(p);
  }
  return sortedUnique(out);
}

function sortedUnique(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => typeof x === 'string'))].sort();
}
