/**
 * The API catalog: which groups, resources, subresources and verbs exist. Built from live discovery when a cluster is
 * reachable, else from the bundled schemas/api-catalog.json (generated from a real apiserver by
 * scripts/gen-api-catalog.ts). Both get the authorization-only resources that discovery never lists (see virtual.ts).
 */
import catalogJson from '../../../../../schemas/api-catalog.json';
import { ADD_ONS, addOnGroup, type AddOn } from './addOns';
import { catalogFileFromDiscovery, type CatalogFile, type DiscoveryData } from './catalogFile';
import { ANY_RESOURCE_SUBRESOURCES, VIRTUAL_RESOURCES } from './virtual';

export { SPECIAL_VERBS } from './virtual';

export interface CatalogResource {
  group: string;
  /** As written in a rule: `pods` or `pods/exec`. */
  name: string;
  resource: string;
  subresource?: string;
  kind: string;
  namespaced: boolean;
  /** Verbs the resource supports (discovery verbs plus authorization-only verbs such as bind or impersonate). */
  verbs: readonly string[];
  /** Any subresource name is valid (e.g. authentication.k8s.io `userextras/<key>`). */
  anySubresource?: boolean;
}

export interface ApiCatalog {
  readonly source: 'builtin' | 'discovery';
  /** Kubernetes version the catalog describes, when known. */
  readonly kubernetesVersion: string;
  /** Non-resource URL paths and `/prefix/*` forms the apiserver serves. */
  readonly nonResourceURLs: readonly string[];
  groupNames(): string[];
  hasGroup(group: string): boolean;
  /** A resource (`pods`) or subresource (`pods/exec`) of a group. */
  findResource(group: string, name: string): CatalogResource | undefined;
  /** Verbs of a resource or subresource; undefined when it does not exist. */
  verbsOf(group: string, resource: string): readonly string[] | undefined;
  /** Top-level resource names of a group, sorted. */
  resourcesOf(group: string): string[];
  /** Subresource names (`exec`, `log`, ...) of a resource. */
  subresourcesOf(group: string, resource: string): string[];
  /** Groups that serve a resource name (to say "deployments is in apps"). */
  groupsOfResource(name: string): string[];
  /** Plural resource name for a kind (`Deployment` -> `deployments`). */
  resourceForKind(group: string, kind: string): string | undefined;
  /** Every verb any resource supports. */
  allVerbs(): string[];
  /** For an official add-on group the built-in catalog knows (metrics.k8s.io...): what serves it. */
  addOnOf(group: string): string | undefined;
}

class Catalog implements ApiCatalog {
  private readonly groups = new Map<string, Map<string, CatalogResource>>();
  private readonly verbs = new Set<string>();
  private readonly addOns = new Map<string, AddOn>();

  constructor(
    readonly source: 'builtin' | 'discovery',
    file: CatalogFile,
    readonly nonResourceURLs: readonly string[],
    addOns: readonly AddOn[] = [],
  ) {
    this.kubernetesVersion = file.kubernetesVersion;
    const served = new Set(file.groups.map((g) => g.name));
    const groups = [...file.groups];
    for (const a of addOns) {
      if (served.has(a.group)) continue; // the apiserver serves it itself now
      this.addOns.set(a.group, a);
      groups.push(addOnGroup(a));
    }
    for (const g of groups) {
      const byName = this.group(g.name);
      for (const v of g.versions) {
        for (const r of v.resources) {
          this.add(byName, { group: g.name, name: r.name, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs });
          for (const s of r.subresources ?? []) {
            this.add(byName, { group: g.name, name: `${r.name}/${s.name}`, resource: r.name, subresource: s.name, kind: s.kind, namespaced: r.namespaced, verbs: s.verbs });
          }
        }
      }
    }
    for (const v of VIRTUAL_RESOURCES) {
      const [resource, subresource] = v.name.split('/') as [string, string | undefined];
      const entry: CatalogResource = { group: v.group, name: v.name, resource, kind: v.kind ?? '', namespaced: v.namespaced ?? false, verbs: v.verbs };
      if (subresource) entry.subresource = subresource;
      if (v.anySubresource) entry.anySubresource = true;
      // Authorization-only verbs extend real resources (bind on roles); whole virtual resources only where
      // their parent is served, so a catalog without the group stays without it.
      const byName = this.groups.get(v.group);
      if (!byName) continue;
      if (subresource && !byName.has(resource)) continue;
      this.add(byName, entry);
    }
  }

  readonly kubernetesVersion: string;

  private group(name: string): Map<string, CatalogResource> {
    let g = this.groups.get(name);
    if (!g) {
      g = new Map();
      this.groups.set(name, g);
    }
    return g;
  }

  /** Merges versions of one resource: verbs are the union, the first kind wins. */
  private add(byName: Map<string, CatalogResource>, r: CatalogResource): void {
    for (const v of r.verbs) this.verbs.add(v);
    const prev = byName.get(r.name);
    if (!prev) {
      byName.set(r.name, { ...r, verbs: [...new Set(r.verbs)].sort() });
      return;
    }
    byName.set(r.name, { ...prev, ...(r.anySubresource ? { anySubresource: true } : {}), kind: prev.kind || r.kind, verbs: [...new Set([...prev.verbs, ...r.verbs])].sort() });
  }

  groupNames(): string[] {
    return [...this.groups.keys()].sort();
  }

  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  findResource(group: string, name: string): CatalogResource | undefined {
    const g = this.groups.get(group);
    if (!g) return undefined;
    const exact = g.get(name);
    if (exact) return exact;
    const slash = name.indexOf('/');
    const any = this.addOns.get(group)?.anyResource;
    if (any && name !== '') {
      const resource = slash > 0 ? name.slice(0, slash) : name;
      return { group, name, resource, ...(slash > 0 ? { subresource: name.slice(slash + 1) } : {}), kind: '', namespaced: any.namespaced, verbs: any.verbs };
    }
    if (slash > 0) {
      const parent = g.get(name.slice(0, slash));
      const sub = name.slice(slash + 1);
      if (parent?.anySubresource) return { ...parent, name, subresource: sub };
      // Authorization-only subresources every resource has (finalizers: OwnerReferencesPermissionEnforcement).
      const verbs = ANY_RESOURCE_SUBRESOURCES.get(sub);
      if (parent && !parent.subresource && verbs) return { ...parent, name, subresource: sub, verbs };
    }
    return undefined;
  }

  addOnOf(group: string): string | undefined {
    return this.addOns.get(group)?.addOn;
  }

  verbsOf(group: string, resource: string): readonly string[] | undefined {
    return this.findResource(group, resource)?.verbs;
  }

  resourcesOf(group: string): string[] {
    return [...(this.groups.get(group)?.values() ?? [])].filter((r) => !r.subresource).map((r) => r.name).sort();
  }

  subresourcesOf(group: string, resource: string): string[] {
    return [...(this.groups.get(group)?.values() ?? [])].filter((r) => r.resource === resource && r.subresource).map((r) => r.subresource!).sort();
  }

  groupsOfResource(name: string): string[] {
    return this.groupNames().filter((g) => this.groups.get(g)!.has(name));
  }

  resourceForKind(group: string, kind: string): string | undefined {
    for (const r of this.groups.get(group)?.values() ?? []) if (!r.subresource && r.kind === kind) return r.name;
    return undefined;
  }

  allVerbs(): string[] {
    return [...this.verbs].sort();
  }
}

let builtin: ApiCatalog | undefined;

/** The catalog bundled with the extension (a default Kubernetes apiserver; see schemas/api-catalog.json). */
export function builtinCatalog(): ApiCatalog {
  builtin ??= new Catalog('builtin', catalogJson as CatalogFile, (catalogJson as CatalogFile).nonResourceURLs, ADD_ONS);
  return builtin;
}

/** A catalog from live discovery; non-resource URLs come from the root paths when given, else from the built-in list. */
export function catalogFromDiscovery(data: DiscoveryData): ApiCatalog {
  const file = catalogFileFromDiscovery(data);
  const urls = data.paths?.length ? file.nonResourceURLs : builtinCatalog().nonResourceURLs;
  return new Catalog('discovery', file, urls);
}

export { catalogFindings } from './findings';
export type { DiscoveryData } from './catalogFile';
