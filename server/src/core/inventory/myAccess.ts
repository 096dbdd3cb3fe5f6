/**
 * "My Access": what the current user may do in a namespace, from SelfSubjectRulesReview, as a resource x verb matrix
 * like rakkess or `kubectl auth can-i --list`. Pure: the review (and optionally the discovered resources) in, the
 * matrix out. An incomplete review (webhook authorizers) turns every "no" into "unknown": the cluster did not say.
 */
import type { PolicyRule } from '../engine/model';
import { covers, describeMissing, VERDICT_LINES } from '../engine/rbac/covers';
import { ruleAllows } from '../engine/rbac/evaluate';

export const MATRIX_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export type MatrixVerb = (typeof MATRIX_VERBS)[number];

/** yes: allowed; some: only for the named objects (resourceNames); no: denied; unknown: denied by an incomplete review. */
export type Cell = 'yes' | 'some' | 'no' | 'unknown';

export interface RulesReviewInput {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export interface ResourceName {
  group: string;
  /** Plural resource, optionally with "/subresource"; "*" means every resource of the group. */
  resource: string;
}

export interface AccessRow extends ResourceName {
  cells: Record<MatrixVerb, Cell>;
  /** Other verbs allowed on it (escalate, bind, impersonate, use, approve, ...); "*" when every verb is. */
  otherVerbs: string[];
  /** Object names when some cell is only allowed for them. */
  resourceNames?: string[];
}

export interface AccessMatrix {
  namespace: string;
  verbs: readonly MatrixVerb[];
  rows: AccessRow[];
  nonResource: { url: string; verbs: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

function splitResource(resource: string): { resource: string; subresource: string } {
  const slash = resource.indexOf('/');
  return slash < 0 ? { resource, subresource: '' } : { resource: resource.slice(0, slash), subresource: resource.slice(slash + 1) };
}

/** The (group, resource) pairs the rules name, "*" kept as a row of its own ("every resource"). */
export function resourcesInRules(rules: readonly PolicyRule[]): ResourceName[] {
  const seen = new Map<string, ResourceName>();
  for (const r of rules) {
    for (const group of r.apiGroups ?? []) {
      for (const resource of r.resources ?? []) {
        const key = `${group}\u0000${resource}`;
        if (!seen.has(key)) seen.set(key, { group, resource });
      }
    }
  }
  return [...seen.values()];
}

function cellFor(rules: readonly PolicyRule[], row: ResourceName, verb: string, incomplete: boolean): Cell {
  const { resource, subresource } = splitResource(row.resource);
  const req = { verb, apiGroup: row.group, resource, subresource, name: '' };
  if (rules.some((r) => ruleAllows(r, req))) return 'yes';
  // Allowed only for named objects: the same match with the names ignored.
  if (rules.some((r) => (r.resourceNames?.length ?? 0) > 0 && ruleAllows({ ...r, resourceNames: [] }, req))) return 'some';
  return incomplete ? 'unknown' : 'no';
}

/**
 * The matrix for one namespace. Rows: `resources` (e.g. discovery's namespaced resources, like rakkess) plus every
 * resource the rules name; without `resources`, only the ones the rules name.
 */
export function accessMatrix(review: RulesReviewInput, namespace: string, resources: readonly ResourceName[] = []): AccessMatrix {
  const rules = review.resourceRules;
  const rowsByKey = new Map<string, ResourceName>();
  for (const r of [...resources, ...resourcesInRules(rules)]) rowsByKey.set(`${r.group}\u0000${r.resource}`, r);
  const rows: AccessRow[] = [];
  for (const r of rowsByKey.values()) {
    const cells = {} as Record<MatrixVerb, Cell>;
    for (const v of MATRIX_VERBS) cells[v] = cellFor(rules, r, v, review.incomplete);
    const { resource, subresource } = splitResource(r.resource);
    const other = new Set<string>();
    const names = new Set<string>();
    for (const rule of rules) {
      if (!ruleAllows({ ...rule, verbs: ['*'], resourceNames: [] }, { verb: '*', apiGroup: r.group, resource, subresource, name: '' })) continue;
      for (const v of rule.verbs ?? []) if (!(MATRIX_VERBS as readonly string[]).includes(v)) other.add(v);
      for (const n of rule.resourceNames ?? []) names.add(n);
    }
    const row: AccessRow = { group: r.group, resource: r.resource, cells, otherVerbs: [...other].sort() };
    if (names.size && Object.values(cells).includes('some')) row.resourceNames = [...names].sort();
    rows.push(row);
  }
  rows.sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
  const nonResource = new Map<string, Set<string>>();
  for (const r of review.nonResourceRules) {
    for (const url of r.nonResourceURLs ?? []) {
      const set = nonResource.get(url) ?? new Set<string>();
      for (const v of r.verbs ?? []) set.add(v);
      nonResource.set(url, set);
    }
  }
  return {
    namespace,
    verbs: MATRIX_VERBS,
    rows,
    nonResource: [...nonResource.entries()].map(([url, v]) => ({ url, verbs: [...v].sort() })).sort((a, b) => a.url.localeCompare(b.url)),
    incomplete: review.incomplete,
    ...(review.evaluationError ? { evaluationError: review.evaluationError } : {}),
  };
}

const MARK: Record<Cell, string> = { yes: '\u2714', some: '~', no: '\u2716', unknown: '?' };

/** A rakkess-style table: one line per resource, one column per verb. */
export function renderMatrix(m: AccessMatrix): string {
  const name = (r: ResourceName) => (r.group ? `${r.resource}.${r.group}` : r.resource);
  const width = Math.max(8, ...m.rows.map((r) => name(r).length));
  const head = ['NAME'.padEnd(width), ...m.verbs.map((v) => v.toUpperCase()), 'OTHER'].join('  ');
  const lines = [head];
  for (const r of m.rows) {
    const cells = m.verbs.map((v) => MARK[r.cells[v]].padEnd(v.length));
    lines.push([name(r).padEnd(width), ...cells, r.otherVerbs.join(',')].join('  ').trimEnd());
  }
  for (const n of m.nonResource) lines.push(`${n.url.padEnd(width)}  (non-resource) ${n.verbs.join(',')}`);
  const notes = [`${MARK.yes} allowed  ~ only some names  ${MARK.no} denied  ? unknown`];
  if (m.incomplete) notes.push(`incomplete: the cluster could not list every rule (${m.evaluationError ?? 'a webhook authorizer decides some requests'}); "?" may be allowed`);
  return `${[...lines, '', ...notes].join('\n')}\n`;
}

export interface RoleCheck {
  /** True: you hold every permission of the role (you could create or bind it yourself). */
  covered: boolean;
  /** The apiserver's compact lines for what you lack, e.g. `{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`. */
  missing: string[];
  /** The review was incomplete: missing lines may be allowed after all. */
  incomplete: boolean;
}

/** "Check Role against My Permissions": the not-held check of the engine, against the user's rules in a namespace. */
export function checkRoleAgainst(roleRules: readonly PolicyRule[], review: RulesReviewInput): RoleCheck {
  const held = [...review.resourceRules, ...review.nonResourceRules];
  const r = covers(held, roleRules);
  // Every line as the apiserver prints it, up to its first 1,000 (then one `...and N more` line).
  return { covered: r.covered, missing: describeMissing(r.missing, VERDICT_LINES), incomplete: review.incomplete };
}
