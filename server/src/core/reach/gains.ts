/**
 * What a reached identity holds beyond the subject's own rights, scope by scope, with the engine's Covers (the same
 * comparison the apiserver's escalation check makes), in a few readable lines; and the severity that follows.
 */
import { builtinCatalog } from '../engine/catalog/apiCatalog';
import type { PolicyRule, Severity } from '../engine/model';
import { compactRules, covers } from '../engine/rbac/covers';
import type { Grant } from './grants';
import { identityKey } from './identity';
import type { Identity } from './types';

export const CLUSTER_ADMIN = 'cluster-admin equivalent';
const MAX_GAINS = 8;

function rulesIn(grants: readonly Grant[], scope: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of grants) if (g.scope === '' || g.scope === scope) out.push(...g.rules);
  return out;
}

const isAll = (xs: readonly string[] | undefined): boolean => (xs ?? []).includes('*');

function where(scope: string, group: string, resource: string): string {
  if (scope !== '') return `in ${scope}`;
  if (resource === '*') return 'cluster-wide';
  const base = resource.split('/')[0]!;
  const known = builtinCatalog().findResource(group === '*' ? '' : group, base);
  return known && !known.namespaced ? 'cluster-wide' : 'in every namespace';
}

function describe(rule: PolicyRule, scope: string): string {
  if (rule.nonResourceURLs?.length) return `${rule.verbs.join('/')} ${rule.nonResourceURLs.join(', ')}`;
  const group = rule.apiGroups?.[0] ?? '';
  const resource = rule.resources?.[0] ?? '';
  const res = resource === '*' ? (group === '*' ? 'every resource' : `every resource of ${group || 'the core group'}`) : group && group !== '*' ? `${resource}.${group}` : resource;
  const names = rule.resourceNames?.length ? ` ${rule.resourceNames.join(', ')}` : '';
  return `${rule.verbs.join('/')} ${res}${names} ${where(scope, group, resource)}`;
}

/** Gains of `target` over `subject` (both given as grants); a cluster-admin equivalent says only that. */
export function gainsOf(target: Identity, targetGrants: readonly Grant[], subjectGrants: readonly Grant[]): string[] {
  if (target.kind === 'ClusterAdmin') return [CLUSTER_ADMIN];
  const lines: string[] = [];
  const seen = new Set<string>();
  const scopes = [...new Set(targetGrants.map((g) => g.scope))].sort();
  for (const scope of scopes) {
    const own = rulesIn(subjectGrants, scope);
    const theirs = targetGrants.filter((g) => g.scope === scope).flatMap((g) => g.rules);
    const missing = covers(own, theirs).missing;
    if (missing.length === 0) continue;
    for (const atom of missing) {
      if (scope === '' && isAll(atom.verbs) && isAll(atom.apiGroups) && isAll(atom.resources) && !atom.resourceNames?.length) return [CLUSTER_ADMIN];
    }
    for (const rule of compactRules(missing)) {
      const line = describe(rule, scope);
      if (!seen.has(line)) {
        seen.add(line);
        lines.push(line);
      }
    }
  }
  lines.sort((a, b) => weight(b) - weight(a) || (a < b ? -1 : a > b ? 1 : 0));
  if (lines.length > MAX_GAINS) return [...lines.slice(0, MAX_GAINS), `and ${lines.length - MAX_GAINS} more`];
  return lines;
}

/** Cluster-wide reads of Secrets and everything-grants first, then other secrets, tokens, workloads. */
function weight(line: string): number {
  if (line === CLUSTER_ADMIN) return 100;
  const everywhere = line.endsWith('in every namespace') || line.endsWith('cluster-wide');
  const secrets = / secrets( |$)/.test(line) && /(^|\/)(get|list|watch|\*)[ /]/.test(line);
  if (secrets && everywhere) return 50;
  if (line.startsWith('*') || line.includes('every resource')) return everywhere ? 45 : 30;
  if (secrets) return 20;
  return everywhere ? 10 : 0;
}

/** error: cluster-admin equivalent or Secrets readable in every namespace; warning: any other gain. */
export function gainsSeverity(gains: readonly string[]): Severity | undefined {
  if (gains.length === 0) return undefined;
  return gains.some((g) => weight(g) >= 45) ? 'error' : 'warning';
}

/** "team-a/db-migrator" for the finding's message. */
export function shortName(id: Identity): string {
  return id.kind === 'ServiceAccount' ? `${id.namespace}/${id.name}` : identityKey(id);
}
