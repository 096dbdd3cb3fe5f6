/** Small pieces the identities model is built with: severity ranking, list-valued maps, which lists were readable. */
import type { Finding, Severity } from '../engine/model';
import type { FindingInfo } from './types';

const RANK: Record<Severity, number> = { error: 4, warning: 3, information: 2, hint: 1 };

export function worst(...severities: (Severity | undefined)[]): Severity | undefined {
  let best: Severity | undefined;
  for (const s of severities) if (s && (!best || RANK[s] > RANK[best])) best = s;
  return best;
}

export function worstOf(items: readonly { severity?: Severity | undefined }[]): Severity | undefined {
  return worst(...items.map((i) => i.severity));
}

export function info(f: Finding): FindingInfo {
  return { ruleId: f.ruleId, severity: f.severity, message: f.message };
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Which lists succeeded where (Snapshot.readable), indexed once: it is asked several times per identity. */
export class Readability {
  private readonly wide = new Set<string>();
  private readonly byNamespace = new Map<string, Set<string>>();
  constructor(readable: readonly string[]) {
    for (const entry of readable) {
      const slash = entry.indexOf('/');
      const resource = entry.slice(0, slash);
      const where = entry.slice(slash + 1);
      if (where === '*') this.wide.add(resource);
      else pushToSet(this.byNamespace, resource, where);
    }
  }
  can(resource: string, namespace?: string): boolean {
    return this.wide.has(resource) || (namespace !== undefined && this.byNamespace.get(resource)?.has(namespace) === true);
  }
}

function pushToSet<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
