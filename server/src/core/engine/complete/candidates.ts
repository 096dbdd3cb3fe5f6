/** What to offer for a completion context, from the API catalog (live discovery or built-in). */
import type { ApiCatalog } from '../catalog/apiCatalog';
import type { CompletionContext } from './context';

export interface Candidate {
  label: string;
  /** The value inserted (quoted by the caller as needed). */
  value: string;
  detail?: string;
}

const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'];
/** Verbs whose grant is itself a finding: shown last, with the reason. */
const RISKY_VERBS: Record<string, string> = {
  '*': 'every verb (wildcard finding)',
  escalate: 'lets the holder grant permissions it lacks',
  bind: 'lets the holder bind roles it lacks',
  impersonate: 'act as other users, groups or ServiceAccounts',
  deletecollection: 'delete every object of the resource at once',
};

export function completionCandidates(ctx: CompletionContext, catalog: ApiCatalog): Candidate[] {
  const all = rawCandidates(ctx, catalog);
  const p = ctx.prefix.toLowerCase();
  return all.filter((c) => c.value.toLowerCase().startsWith(p));
}

function rawCandidates(ctx: CompletionContext, catalog: ApiCatalog): Candidate[] {
  switch (ctx.field) {
    case 'kind':
      return RBAC_KINDS.map((k) => ({ label: k, value: k }));
    case 'apiGroups':
      return catalog.groupNames().map((g) => ({ label: g === '' ? '"" (core)' : g, value: g, detail: catalog.addOnOf(g) ? 'add-on: may not be installed' : `${catalog.resourcesOf(g).length} resources` }));
    case 'resources':
      return resourceCandidates(ctx, catalog);
    case 'verbs':
      return verbCandidates(ctx, catalog);
  }
}

function groupsIn(ctx: CompletionContext, catalog: ApiCatalog): string[] {
  const groups = ctx.siblings.apiGroups.filter((g) => g !== '*' && catalog.hasGroup(g));
  return groups.length ? groups : catalog.groupNames();
}

function resourceCandidates(ctx: CompletionContext, catalog: ApiCatalog): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const g of groupsIn(ctx, catalog)) {
    for (const r of catalog.resourcesOf(g)) {
      for (const name of [r, ...catalog.subresourcesOf(g, r).map((s) => `${r}/${s}`)]) {
        if (seen.has(name)) continue;
        seen.add(name);
        const res = catalog.findResource(g, name);
        out.push({ label: name, value: name, detail: `${g === '' ? 'core' : g}${res ? ` \u00b7 ${res.kind}${res.namespaced ? '' : ' (cluster-scoped)'}` : ''}` });
      }
    }
  }
  return out.sort((a, b) => Number(a.value.includes('/')) - Number(b.value.includes('/')) || a.value.localeCompare(b.value));
}

function verbCandidates(ctx: CompletionContext, catalog: ApiCatalog): Candidate[] {
  const resources = ctx.siblings.resources.filter((r) => r !== '*' && r !== '');
  const verbs = new Set<string>();
  for (const g of groupsIn(ctx, catalog)) {
    for (const r of resources) catalog.verbsOf(g, r)?.forEach((v) => verbs.add(v));
  }
  if (verbs.size === 0) catalog.allVerbs().forEach((v) => verbs.add(v));
  verbs.add('*');
  const list = [...verbs];
  const safe = list.filter((v) => !(v in RISKY_VERBS)).sort(byUsualOrder);
  const risky = list.filter((v) => v in RISKY_VERBS).sort();
  return [...safe.map((v) => ({ label: v, value: v })), ...risky.map((v) => ({ label: v, value: v, detail: `risky: ${RISKY_VERBS[v]}` }))];
}

const ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
function byUsualOrder(a: string, b: string): number {
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}
