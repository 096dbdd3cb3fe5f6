/**
 * Official add-on APIs (SIG-owned, not built into the apiserver) the built-in catalog knows as "add-on: may not be
 * installed": schemas/api-addons.json. Live discovery never uses this list; the cluster decides there.
 */
import addOnsJson from '../../../../../schemas/api-addons.json';
import type { CatalogFileGroup, CatalogFileResource } from './catalogFile';

export interface AddOnResource {
  name: string;
  kind: string;
  namespaced: boolean;
  /** Default: the standard eight. */
  verbs?: string[];
  /** Has a status subresource (get, patch, update). */
  status?: boolean;
}

export interface AddOn {
  group: string;
  /** What serves it, for messages. */
  addOn: string;
  version: string;
  resources?: AddOnResource[];
  /** The API serves metric names as resources: any name is valid. */
  anyResource?: { namespaced: boolean; verbs: string[] };
}

const STANDARD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const ADD_ONS: readonly AddOn[] = (addOnsJson as { addOns: AddOn[] }).addOns;

/** An add-on as a catalog file group. */
export function addOnGroup(a: AddOn): CatalogFileGroup {
  const resources: CatalogFileResource[] = (a.resources ?? []).map((r) => ({
    name: r.name,
    kind: r.kind,
    namespaced: r.namespaced,
    verbs: r.verbs ?? STANDARD,
    ...(r.status ? { subresources: [{ name: 'status', kind: r.kind, verbs: ['get', 'patch', 'update'] }] } : {}),
  }));
  return { name: a.group, preferredVersion: a.version, versions: [{ version: a.version, resources }] };
}
