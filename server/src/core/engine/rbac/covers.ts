/**
 * A faithful port of Kubernetes' escalation comparator:
 * staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go (Covers, BreakdownRule, ruleCovers),
 * pkg/registry/rbac/validation/policy_compact.go (CompactRules) and
 * pkg/apis/rbac/v1/evaluation_helpers.go (CompactString), so our verdicts and messages match the apiserver's.
 */
import type { PolicyRule } from '../model';
import { missingRects, nonResourceURLCovers } from './coverSplit';
import { goQuote, goQuoteList } from './goFormat';
import { missingLines } from './missingLines';

export { nonResourceURLCovers };

const VERB_ALL = '*';
const API_GROUP_ALL = '*';
const RESOURCE_ALL = '*';

/**
 * The atoms of a rule, lazily: one verb x one apiGroup x one resource (x one resourceName when names are listed),
 * then one nonResourceURL x one verb. Empty apiGroups or resources yield no resource atoms, exactly like upstream.
 * Their number is the product of the lists: take only what is shown (atomCount says how many there are).
 */
export function* ruleAtoms(rule: PolicyRule): Generator<PolicyRule> {
  const names = rule.resourceNames ?? [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (names.length === 0) yield { apiGroups: [group], resources: [resource], verbs: [verb] };
        else for (const name of names) yield { apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] };
      }
    }
  }
  // Non-resource URLs only combine with verbs.
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) yield { nonResourceURLs: [url], verbs: [verb] };
}

/** How many atoms ruleAtoms yields, without yielding them. */
export function atomCount(rule: PolicyRule): number {
  const verbs = rule.verbs?.length ?? 0;
  const names = Math.max(1, rule.resourceNames?.length ?? 0);
  return (rule.apiGroups?.length ?? 0) * (rule.resources?.length ?? 0) * verbs * names + (rule.nonResourceURLs?.length ?? 0) * verbs;
}

/** Every atom of a rule (upstream's BreakdownRule): for small rules and tests; the product of the lists in size. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  return [...ruleAtoms(rule)];
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

export interface CoversResult {
  covered: boolean;
  /**
   * What no owner rule covers, as rectangles: rules every atom of which is missing, disjoint within each servant rule,
   * in servant order (a rule's rectangles together), values in the servant's order. `breakdownRule` of each gives the
   * missing atoms upstream's Covers lists.
   */
  missing: PolicyRule[];
}

/**
 * Does the owner (the applier's rules) cover every atom of the servant rules (the rules being granted)? Computed per
 * dimension (coverSplit.ts), never atom by atom. Owner arrays are compiled once and cached by identity: do not mutate
 * one after passing it here.
 */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): CoversResult {
  const missing = servant.flatMap((rule) => missingRects(owner, rule));
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

/** Lines of the apiserver's message a finding names; the rest are counted. */
export const FINDING_LINES = 20;
/** Lines of the predicted Forbidden text; a role that misses more is reported with the count of the rest. */
export const VERDICT_LINES = 1000;

/**
 * The lines ConfirmNoEscalation prints for missing rules (atoms or rectangles): compacted, formatted, de-duplicated
 * and sorted (sets.NewString(...).List() sorts by bytes, i.e. by code point). At most `limit` lines, then one line
 * `...and N more` when there are more.
 */
export function describeMissing(missing: readonly PolicyRule[], limit = FINDING_LINES): string[] {
  const { lines, total } = missingLines(missing, limit);
  return total > lines.length ? [...lines, `...and ${(total - lines.length).toLocaleString('en-US')} more`] : lines;
}

/** The apiserver's error text for missing rules (without the `<resource> "<name>" is forbidden: ` prefix). */
export function escalationErrorText(
  user: { username: string; groups: readonly string[] } | undefined,
  missing: readonly PolicyRule[],
  limit = FINDING_LINES,
): string {
  const who = user ? `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is ` : '';
  return `${who}attempting to grant RBAC permissions not currently held:\n${describeMissing(missing, limit).join('\n')}`;
}
