/**
 * unknown-api-group, unknown-resource and unknown-verb: names the apiserver accepts (RBAC rules are opaque strings)
 * but that match nothing, so the rule silently grants nothing. Checked against live discovery or the built-in catalog.
 * Wildcards are never unknown. A group the built-in catalog does not know may be a CRD group: information, not warning.
 */
import type { Finding, PolicyRule, RbacObject, RuleField, Severity, Span } from '../model';
import { ruleKey } from '../ruleMemo';
import { editDistance, suggest } from '../text/suggest';
import type { ApiCatalog } from './apiCatalog';
import { SPECIAL_VERBS, VIRTUAL_RESOURCES } from './virtual';

const STANDARD_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** A finding of one rule before it is placed: the same rule content always gives the same ones. */
interface RuleFinding {
  ruleId: Finding['ruleId'];
  severity: Severity;
  field: RuleField;
  index: number;
  message: string;
  replacement: string[];
}

/** Per catalog, the findings of each distinct rule (by content): editing one rule of thousands re-checks one. */
const memo = new WeakMap<ApiCatalog, Map<string, RuleFinding[]>>();
const MAX_MEMO = 20_000;

export function catalogFindings(obj: RbacObject, catalog: ApiCatalog): Finding[] {
  if (obj.kind !== 'Role' && obj.kind !== 'ClusterRole') return [];
  let cache = memo.get(catalog);
  if (!cache || cache.size > MAX_MEMO) memo.set(catalog, (cache = new Map()));
  const out: Finding[] = [];
  for (const r of obj.rules) {
    const key = ruleKey(r.rule);
    let found = cache.get(key);
    if (!found) {
      found = [];
      ruleFindings(r.rule, catalog, found);
      cache.set(key, found);
    }
    for (const f of found) {
      const span: Span = r.fields[f.field]?.items[f.index] ?? r.fields[f.field]?.span ?? r.span;
      const value = r.rule[f.field]?.[f.index] ?? '';
      out.push({
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        span,
        documentIndex: obj.documentIndex,
        data: { ruleIndex: r.index, field: f.field, value, replacement: f.replacement },
      });
    }
  }
  return out;
}

/** The last two labels of a dotted group ("k8s.io", "x-k8s.io", "crossplane.io"). */
function domainOf(g: string): string | undefined {
  const labels = g.split('.');
  return labels.length >= 2 ? labels.slice(-2).join('.') : undefined;
}

/**
 * Known groups `g` is one small edit of (at most two letters) under the same domain. A group under another domain
 * (`apiextensions.crossplane.io`, `cluster.x-k8s.io` for `*.k8s.io`, `networking.istio.io`) is another project's CRD
 * group, not a typo, unless its domain is itself one letter off (`k8s.oi`). Undotted: only a known group can be meant.
 */
function typoOf(g: string, names: readonly string[]): string[] {
  const lower = g.toLowerCase();
  const domain = domainOf(lower);
  return suggest(g, names).filter((c) => {
    const lc = c.toLowerCase();
    if (editDistance(lower, lc) > 2) return false;
    const theirs = domainOf(lc);
    return domain === undefined || theirs === undefined || domain === theirs || editDistance(domain, theirs) === 1;
  });
}

function groupLabel(g: string): string {
  return g === '' ? 'the core API group ("")' : `API group "${g}"`;
}

function ruleFindings(rule: PolicyRule, catalog: ApiCatalog, out: RuleFinding[]): void {
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  const live = catalog.source === 'discovery';
  const emit = (ruleId: Finding['ruleId'], severity: Severity, field: RuleField, index: number, message: string, replacement: string[]): void => {
    out.push({ ruleId, severity, field, index, message, replacement });
  };

  // --- API groups
  let unknownGroup = false;
  groups.forEach((g, i) => {
    const addOn = catalog.addOnOf(g);
    if (addOn) {
      emit('unknown-api-group', 'information', 'apiGroups', i, `API group "${g}" is an official add-on API (${addOn}), not built into Kubernetes: the rule grants nothing where it is not installed (connect a cluster to check against its discovery).`, []);
      return;
    }
    if (g === '*' || catalog.hasGroup(g)) return;
    unknownGroup = true;
    const slash = g.lastIndexOf('/');
    if (slash > 0 && catalog.hasGroup(g.slice(0, slash))) {
      const base = g.slice(0, slash);
      emit('unknown-api-group', 'warning', 'apiGroups', i, `API group "${g}" includes a version; rules name the group only: "${base}"`, [base]);
      return;
    }
    if (g === 'v1' || g === 'core') {
      emit('unknown-api-group', 'warning', 'apiGroups', i, `"${g}" is not an API group name; the core group (pods, secrets, services...) is written ""`, ['']);
      return;
    }
    const near = typoOf(g, catalog.groupNames());
    const servedBy = [...new Set(resources.flatMap((res) => catalog.groupsOfResource(res)))].filter((x) => !groups.includes(x));
    let hint = near.length ? ` Did you mean "${near[0]}"?` : '';
    if (!near.length && servedBy.length) hint = ` ${resources.filter((res) => catalog.groupsOfResource(res).length).join(', ')} ${servedBy.length === 1 ? `is in ${groupLabel(servedBy[0]!)}` : `are in ${servedBy.map(groupLabel).join(', ')}`}.`;
    const replacement = near.length ? near : servedBy;
    const builtinLooksCustom = !live && g.includes('.') && !g.endsWith('.k8s.io') && !near.length;
    if (live) {
      emit('unknown-api-group', 'warning', 'apiGroups', i, `API group "${g}" is not served by the cluster (rules for it grant nothing until a CRD or API service provides it).${hint}`, replacement);
    } else if (builtinLooksCustom) {
      emit('unknown-api-group', 'information', 'apiGroups', i, `API group "${g}" is not a built-in Kubernetes group; fine if a CRD or aggregated API provides it (connect a cluster to check against its discovery).`, replacement);
    } else {
      emit('unknown-api-group', 'warning', 'apiGroups', i, `API group "${g}" is not a Kubernetes API group.${hint}`, replacement);
    }
  });

  // --- Resources: only where every named group is known (a resource of an unknown group may be a CRD's).
  const wildcardGroup = groups.includes('*');
  // Under "*", add-ons (which may not be installed, and some accept any metric name) do not vouch for a resource.
  const searchGroups = wildcardGroup ? catalog.groupNames().filter((g) => catalog.addOnOf(g) === undefined) : groups.filter((g) => catalog.hasGroup(g));
  const canCheckResources = searchGroups.length > 0 && (wildcardGroup || !unknownGroup);
  const inGroups = wildcardGroup ? 'any API group' : searchGroups.map(groupLabel).join(' or ');
  const resolved: string[] = [];
  let resourceWildcard = false;
  const addOnsOnly = !live && !wildcardGroup && searchGroups.length > 0 && searchGroups.every((g) => catalog.addOnOf(g) !== undefined);
  resources.forEach((res, i) => {
    if (res === '*' || res.startsWith('*/')) {
      resourceWildcard = true;
      return;
    }
    if (!canCheckResources) return;
    if (searchGroups.some((g) => catalog.findResource(g, res))) {
      resolved.push(res);
      return;
    }
    // Under apiGroups ["*"] an unknown name may be a CRD's resource the built-in catalog cannot know.
    const severity: Severity = wildcardGroup && !live ? 'information' : 'warning';
    const slash = res.indexOf('/');
    const base = slash > 0 ? res.slice(0, slash) : res;
    const parentGroups = slash > 0 ? searchGroups.filter((g) => catalog.findResource(g, base)) : [];
    if (parentGroups.length && res.slice(slash + 1) === '*') {
      const subs = [...new Set(parentGroups.flatMap((g) => catalog.subresourcesOf(g, base)))];
      emit('unknown-resource', severity, 'resources', i, `"${res}" is not a wildcard: RBAC only knows "*" and "*/<subresource>". List the subresources you need (${base}: ${subs.join(', ') || 'none'}).`, subs.map((x) => `${base}/${x}`));
      return;
    }
    if (parentGroups.length) {
      const subs = [...new Set(parentGroups.flatMap((g) => catalog.subresourcesOf(g, base)))];
      const near = suggest(res.slice(slash + 1), subs).map((s) => `${base}/${s}`);
      const hint = near.length ? ` Did you mean "${near[0]}"?` : subs.length ? ` Its subresources: ${subs.join(', ')}.` : ` ${base} has no subresources.`;
      emit('unknown-resource', severity, 'resources', i, `Subresource "${res.slice(slash + 1)}" does not exist on ${base} (${inGroups}).${hint}`, near);
      return;
    }
    const candidates = searchGroups.flatMap((g) => (slash > 0 ? catalog.resourcesOf(g).flatMap((n) => [n, ...catalog.subresourcesOf(g, n).map((s) => `${n}/${s}`)]) : catalog.resourcesOf(g)));
    const near = suggest(res, candidates);
    const elsewhere = wildcardGroup ? [] : catalog.groupsOfResource(res);
    let hint = near.length ? ` Did you mean "${near[0]}"?` : '';
    if (elsewhere.length) hint = ` It is served by ${elsewhere.map(groupLabel).join(', ')}: add that group to apiGroups.`;
    // A kind written where the resource belongs (Ingress -> ingresses in networking.k8s.io).
    const byKind = catalog.groupNames().flatMap((g) => {
      const plural = catalog.resourceForKind(g, res);
      return plural ? [{ g, plural }] : [];
    });
    let replacement = near;
    if (byKind.length && !near.includes(byKind[0]!.plural)) {
      const k = byKind[0]!;
      hint = ` ${res} is a kind; its resource is "${k.plural}"${searchGroups.includes(k.g) || wildcardGroup ? '' : ` in ${groupLabel(k.g)}`}.`;
      replacement = [k.plural];
    } else if (!near.length && !elsewhere.length && res.toLowerCase() !== res) {
      hint = ' Resource names are lower-case plurals (e.g. deployments, not Deployment).';
    }
    const where = wildcardGroup && !live ? 'any built-in API group (fine if a CRD provides it)' : inGroups;
    if (addOnsOnly) {
      // Add-on versions differ: what the built-in list lacks may be served by the installed one.
      emit('unknown-resource', 'information', 'resources', i, `Resource "${res}" is not among the resources the built-in catalog knows for ${inGroups} (an add-on); fine if the installed version serves it.${hint}`, replacement);
      return;
    }
    emit('unknown-resource', severity, 'resources', i, `Resource "${res}" does not exist in ${where}.${hint}`, replacement);
  });

  // --- Verbs: unknown when no resource of the rule supports them.
  let allowed: Set<string>;
  let subject: string;
  if (!live && !wildcardGroup && searchGroups.some((g) => catalog.addOnOf(g) !== undefined)) return; // add-on verbs vary by version
  if (resourceWildcard && searchGroups.length) {
    allowed = new Set(catalog.allVerbs());
    subject = 'any resource';
  } else if (resolved.length) {
    allowed = new Set(resolved.flatMap((res) => searchGroups.flatMap((g) => [...(catalog.verbsOf(g, res) ?? [])])));
    subject = resolved.length > 3 ? `${resolved.slice(0, 3).join(', ')}...` : resolved.join(', ');
  } else {
    return;
  }
  const authorizationOnly = !resourceWildcard && resolved.every((res) => res.endsWith('/finalizers'));
  rule.verbs.forEach((v, i) => {
    if (v === '*' || allowed.has(v)) return;
    const near = suggest(v, [...allowed, ...STANDARD_VERBS]);
    const knownElsewhere = STANDARD_VERBS.includes(v) || SPECIAL_VERBS.includes(v) || catalog.allVerbs().includes(v);
    const special = SPECIAL_VERBS.includes(v) ? specialVerbHome(v) : '';
    const hint = special ? ` ${special}` : near.length ? ` Did you mean "${near[0]}"?` : ` Supported: ${[...allowed].sort().join(', ')}.`;
    const what = knownElsewhere ? `Verb "${v}" is not supported by ${subject}` : `Verb "${v}" is not a Kubernetes verb (for ${subject})`;
    if (authorizationOnly) {
      // <resource>/finalizers is only ever checked for update: other verbs are harmless leftovers (information).
      emit('unknown-verb', 'information', 'verbs', i, `${what}; it grants nothing: Kubernetes checks only update on <resource>/finalizers (to set blockOwnerDeletion).`, ['update']);
      return;
    }
    emit('unknown-verb', 'warning', 'verbs', i, `${what}; it grants nothing.${hint}`, near);
  });
}

/** Where the authorizer checks a special verb: "bind applies only to roles, clusterroles (rbac.authorization.k8s.io)." */
function specialVerbHome(verb: string): string {
  const homes = VIRTUAL_RESOURCES.filter((r) => r.verbs.includes(verb) && !r.name.includes('/'));
  if (!homes.length) return `"${verb}" is checked on no resource of this Kubernetes version.`;
  const byGroup = new Map<string, string[]>();
  for (const r of homes) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.name]);
  const where = [...byGroup].map(([g, names]) => `${names.join(', ')} (${g === '' ? 'core' : g})`).join('; ');
  return `"${verb}" applies only to ${where}.`;
}
