/**
 * `reach` findings of `check`: the universe is the RBAC of the files checked (offline), or the cluster's inventory
 * with the files' objects in place of the cluster's same-named ones (`--live`); each Role, ClusterRole and binding to
 * a role defined elsewhere gets its finding, after the file's suppression comments and the severities.
 */
import type { Finding } from '../core/engine/model';
import { applySeverities, type SeverityOverrides } from '../core/engine/severity';
import { applySuppressions, suppressions } from '../core/engine/suppress';
import type { LineIndex } from '../core/engine/text/lineIndex';
import { ReachGraph, reachFindings, universeOfObjects, type ReachObject, type Universe } from '../core/reach';

export interface ReachInput {
  text: string;
  objects: ReachObject[];
  lineIndex: LineIndex;
}

const objectKey = (o: { kind: string; name: string; namespace?: string }): string =>
  o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding' ? `${o.kind}//${o.name}` : `${o.kind}/${o.namespace ?? ''}/${o.name}`;

/** The cluster's universe with the files' objects in place of the same-named ones. */
export function overlay(live: Universe, files: Universe): Universe {
  const mine = new Set([...files.roles, ...files.bindings].map(objectKey));
  const sas = new Set(live.serviceAccounts.map((s) => `${s.namespace}/${s.name}`));
  return {
    ...live,
    namespaces: [...new Set([...live.namespaces, ...files.namespaces])].sort(),
    serviceAccounts: [...live.serviceAccounts, ...files.serviceAccounts.filter((s) => !sas.has(`${s.namespace}/${s.name}`))],
    roles: [...live.roles.filter((r) => !mine.has(objectKey(r))), ...files.roles],
    bindings: [...live.bindings.filter((b) => !mine.has(objectKey(b))), ...files.bindings],
  };
}

export function reachFindingsOf(inputs: readonly ReachInput[], severities: SeverityOverrides, live?: Universe): Finding[][] {
  if (severities.reach === 'off') return inputs.map(() => []);
  const files = universeOfObjects(inputs.flatMap((i) => i.objects));
  const graph = new ReachGraph(live ? overlay(live, files) : files);
  const roleNames = new Set(files.roles.map((r) => (r.kind === 'Role' ? `Role ${r.namespace}/${r.name}` : `ClusterRole ${r.name}`)));
  return inputs.map((input) => {
    const found = reachFindings(graph, input.objects, roleNames, (offset) => input.lineIndex.positionAt(offset).line + 1);
    if (!found.length) return [];
    return applySeverities(applySuppressions(found, suppressions(input.text).list, input.lineIndex), severities);
  });
}

/** Places each finding before the first one that starts after it, leaving the others' order as it was. */
export function insertInOrder(into: Finding[], add: readonly Finding[]): void {
  for (const f of add) {
    const at = into.findIndex((x) => x.span.start > f.span.start);
    if (at < 0) into.push(f);
    else into.splice(at, 0, f);
  }
}
