/**
 * A faithful port of Kubernetes' escalation comparator:
 * staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go (Covers, BreakdownRule, ruleCovers),
 * pkg/registry/rbac/validation/policy_compact.go (CompactRules) and
 * pkg/apis/rbac/v1/evaluation_helpers.go (CompactString), so our verdicts and messages match the apiserver's.
 */
import type { PolicyRule } from '../model';
import { compareCodePoints, goQuote, goQuoteList } from './goFormat';

const VERB_ALL = '*';
const API_GROUP_ALL = '*';
const RESOURCE_ALL = '*';

/**
 * Splits a rule into atoms: one verb x one apiGroup x one resource (x one resourceName when names are listed),
 * and one nonResourceURL x one verb. Empty apiGroups or resources yield no resource atoms, exactly like upstream.
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  const names = rule.resourceNames ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (names.length > 0) {
          for (const name of names) {
            atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
          }
        } else {
          atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  // Non-resource URLs only combine with verbs.
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) {
      atoms.push({ nonResourceURLs: [url], verbs: [verb] });
    }
  }
  return atoms;
}

/** An owner rule prepared for many comparisons (sets instead of arrays); same semantics as upstream's ruleCovers. */
interface CompiledRule {
  verbAll: boolean;
  verbs: ReadonlySet<string>;
  groupAll: boolean;
  groups: ReadonlySet<string>;
  resourceAll: boolean;
  resources: ReadonlySet<string>;
  names: ReadonlySet<string>;
  urls: readonly string[];
}

function compile(rule: PolicyRule): CompiledRule {
  const verbs = new Set(rule.verbs ?? []);
  const groups = new Set(rule.apiGroups ?? []);
  const resources = new Set(rule.resources ?? []);
  return {
    verbAll: verbs.has(VERB_ALL),
    verbs,
    groupAll: groups.has(API_GROUP_ALL),
    groups,
    resourceAll: resources.has(RESOURCE_ALL),
    resources,
    names: new Set(rule.resourceNames ?? []),
    urls: rule.nonResourceURLs ?? [],
  };
}

function hasAll(set: ReadonlySet<string>, contains: readonly string[] | undefined): boolean {
  return (contains ?? []).every((e) => set.has(e));
}

function resourceCoversAll(owner: CompiledRule, coversResources: readonly string[]): boolean {
  // A star or an exact match on all resources matches.
  if (owner.resourceAll) return true;
  for (const path of coversResources) {
    if (owner.resources.has(path)) continue;
    // Not a subresource: nothing else can match.
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    // `*/sub` in the owner covers `anything/sub` (SplitN(path, "/", 2): the rest after the first slash).
    if (!owner.resources.has(`*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

/** strings.TrimRight(s, "*"): drops every trailing star. */
function trimTrailingStars(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 42) end--;
  return s.slice(0, end);
}

/** An owner URL covers a requested one when equal, or when it ends in `*` and the request starts with its prefix. */
export function nonResourceURLCovers(ownerPath: string, subPath: string): boolean {
  if (ownerPath === subPath) return true;
  return ownerPath.endsWith('*') && subPath.startsWith(trimTrailingStars(ownerPath));
}

function compiledCovers(owner: CompiledRule, atom: PolicyRule): boolean {
  // All five conditions of upstream's ruleCovers must hold; evaluated cheapest first.
  if (!owner.verbAll && !hasAll(owner.verbs, atom.verbs)) return false;
  if (!owner.groupAll && !hasAll(owner.groups, atom.apiGroups)) return false;
  if (!resourceCoversAll(owner, atom.resources ?? [])) return false;
  const atomNames = atom.resourceNames ?? [];
  const nameMatches = atomNames.length === 0 ? owner.names.size === 0 : owner.names.size === 0 || hasAll(owner.names, atomNames);
  if (!nameMatches) return false;
  return (atom.nonResourceURLs ?? []).every((path) => owner.urls.some((o) => nonResourceURLCovers(o, path)));
}

/**
 * Whether one owner rule (any shape) covers a servant rule that holds at most one verb, resource and resourceName.
 * Resource atoms and URL atoms never cover each other because the other side's lists are empty.
 */
export function ruleCovers(owner: PolicyRule, atom: PolicyRule): boolean {
  return compiledCovers(compile(owner), atom);
}

/** Owner rules compiled and indexed by verb and by verb+group, cached per owner array (held rules are reused across edits). */
interface OwnerIndex {
  all: readonly CompiledRule[];
  /** Key: verb (or `*`). */
  byVerb: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Key: verb (or `*`) NUL group (or `*`). */
  byVerbGroup: ReadonlyMap<string, readonly CompiledRule[]>;
}

const ownerCache = new WeakMap<readonly PolicyRule[], OwnerIndex>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function ownerIndex(owner: readonly PolicyRule[]): OwnerIndex {
  const cached = ownerCache.get(owner);
  if (cached) return cached;
  const all = owner.map(compile);
  const byVerb = new Map<string, CompiledRule[]>();
  const byVerbGroup = new Map<string, CompiledRule[]>();
  for (const c of all) {
    const verbKeys = c.verbAll ? [VERB_ALL] : [...c.verbs];
    const groupKeys = c.groupAll ? [API_GROUP_ALL] : [...c.groups];
    for (const v of verbKeys) {
      push(byVerb, v, c);
      for (const g of groupKeys) push(byVerbGroup, `${v}\0${g}`, c);
    }
  }
  const index = { all, byVerb, byVerbGroup };
  ownerCache.set(owner, index);
  return index;
}

function anyCovers(candidates: readonly CompiledRule[] | undefined, atom: PolicyRule): boolean {
  return candidates !== undefined && candidates.some((o) => compiledCovers(o, atom));
}

/** Only owners whose verbs (and groups) can match are compared: an atom has one verb and at most one group. */
function atomCovered(index: OwnerIndex, atom: PolicyRule): boolean {
  if (atom.verbs.length !== 1) return anyCovers(index.all, atom);
  const verb = atom.verbs[0]!;
  const groups = atom.apiGroups ?? [];
  if (groups.length !== 1) return anyCovers(index.byVerb.get(verb), atom) || anyCovers(index.byVerb.get(VERB_ALL), atom);
  const g = groups[0]!;
  const m = index.byVerbGroup;
  return (
    anyCovers(m.get(`${verb}\0${g}`), atom) ||
    anyCovers(m.get(`${VERB_ALL}\0${g}`), atom) ||
    anyCovers(m.get(`${verb}\0${API_GROUP_ALL}`), atom) ||
    anyCovers(m.get(`${VERB_ALL}\0${API_GROUP_ALL}`), atom)
  );
}

export interface CoversResult {
  covered: boolean;
  /** The atoms no owner rule covers, in breakdown order. */
  missing: PolicyRule[];
}

/**
 * Does the owner (the applier's rules) cover every atom of the servant rules (the rules being granted)?
 * Owner arrays are compiled once and cached by identity: do not mutate one after passing it here.
 */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): CoversResult {
  const index = ownerIndex(owner);
  const missing: PolicyRule[] = [];
  for (const rule of servant) {
    for (const atom of breakdownRule(rule)) {
      if (!atomCovered(index, atom)) missing.push(atom);
    }
  }
  return { covered: missing.length === 0, missing };
}

/**
 * CompactRules: merges rules that hold a single apiGroup and resource (and at most one resourceName) and differ only
 * by verb; others pass through unchanged. Works well on the atoms Covers reports missing. The input is not mutated.
 */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  const simpleOrder: PolicyRule[] = [];
  for (const rule of rules) {
    const key = simpleResourceKey(rule);
    if (key === undefined) {
      compacted.push(rule);
      continue;
    }
    const existing = simple.get(key);
    if (existing) {
      existing.verbs = [...existing.verbs, ...(rule.verbs ?? [])];
    } else {
      const copy = copyRule(rule);
      simple.set(key, copy);
      simpleOrder.push(copy);
    }
  }
  return [...compacted, ...simpleOrder];
}

/** isSimpleResourceRule: the grouping key, or undefined when the rule is not "simple". */
function simpleResourceKey(rule: PolicyRule): string | undefined {
  const names = rule.resourceNames ?? [];
  if (names.length > 1 || (rule.nonResourceURLs ?? []).length > 0) return undefined;
  if ((rule.apiGroups ?? []).length !== 1 || (rule.resources ?? []).length !== 1) return undefined;
  // resourceNames [] and [""] are different keys upstream (ResourceNameExist).
  return JSON.stringify([rule.apiGroups![0], rule.resources![0], names.length > 0, names[0] ?? '']);
}

function copyRule(rule: PolicyRule): PolicyRule {
  const out: PolicyRule = { verbs: [...(rule.verbs ?? [])] };
  if (rule.apiGroups) out.apiGroups = [...rule.apiGroups];
  if (rule.resources) out.resources = [...rule.resources];
  if (rule.resourceNames) out.resourceNames = [...rule.resourceNames];
  if (rule.nonResourceURLs) out.nonResourceURLs = [...rule.nonResourceURLs];
  return out;
}

/**
 * rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`, the form the apiserver
 * prints in its escalation error. Empty fields are omitted; lists use Go's %q formatting.
 */
export function formatRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${goQuoteList(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${goQuoteList(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuoteList(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${goQuoteList(rule.resourceNames)}`);
  if (rule.verbs?.length) parts.push(`Verbs:${goQuoteList(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * The lines ConfirmNoEscalation prints for missing atoms: compacted, formatted, de-duplicated and sorted
 * (sets.NewString(...).List() sorts by bytes, i.e. by code point).
 */
export function describeMissing(missing: readonly PolicyRule[]): string[] {
  const lines = new Set(compactRules(missing).map(formatRule));
  return [...lines].sort(compareCodePoints);
}

/** The apiserver's error text for missing atoms (without the `<resource> "<name>" is forbidden: ` prefix). */
export function escalationErrorText(
  user: { username: string; groups: readonly string[] } | undefined,
  missing: readonly PolicyRule[],
): string {
  const who = user ? `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is ` : '';
  return `${who}attempting to grant RBAC permissions not currently held:\n${describeMissing(missing).join('\n')}`;
}
