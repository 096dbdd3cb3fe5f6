/**
 * The reach graph: identities are nodes, steps are edges, found per identity once and kept. Outbound reach is a
 * breadth-first search to the fixed point (each identity reached by a shortest path); inbound reach is the same
 * search over the reversed edges of every identity the universe names.
 */
import type { PolicyRule } from '../engine/model';
import { gainsOf, gainsSeverity } from './gains';
import { type Grant } from './grants';
import { identityKey, MASTERS } from './identity';
import type { Edge, Step, StepFinder, Target } from './step';
import { ALL_STEPS } from './stepsAll';
import type { Identity, Universe } from './types';
import { indexUniverse, type UniverseIndex } from './universeIndex';

export interface Reached {
  identity: Identity;
  /** The steps from the subject, in order; empty for the subject itself. */
  path: Step[];
  /** The identity after each step (a step to every ServiceAccount of a namespace is the same step for each). */
  hops: Identity[];
}

const signatures = new WeakMap<readonly Grant[], string>();

/** Which rules an identity holds where: same signature, same rights. */
function rulesSignature(grants: readonly Grant[]): string {
  let s = signatures.get(grants);
  if (s === undefined) {
    s = grants.map((g) => `${g.scope}\0${g.role}\0${g.roleName === '*' ? g.binding : ''}`).sort().join('\n');
    signatures.set(grants, s);
  }
  return s;
}

const isEverything = (r: PolicyRule): boolean =>
  r.verbs.includes('*') && (r.apiGroups ?? []).includes('*') && (r.resources ?? []).includes('*') && !(r.resourceNames ?? []).length;

/** Bound on identities one search visits: a hostile universe cannot make the search unbounded. */
const MAX_NODES = 200_000;

export class ReachGraph {
  readonly u: UniverseIndex;
  private readonly edges = new Map<string, Edge[]>();
  private readonly grantCache = new Map<string, Grant[]>();
  private readonly gainsCache = new Map<string, string[]>();
  private readonly strengthCache = new Map<string, number>();
  private readonly finders: readonly StepFinder[];
  private reverse?: ReverseIndex;

  constructor(universe: Universe, finders: readonly StepFinder[] = ALL_STEPS) {
    this.u = indexUniverse(universe);
    this.finders = finders;
  }

  /**
   * What `target` gains over `subject`. It depends only on their rules, so it is kept per pair of rule sets (the
   * accounts of a namespace bound alike share one).
   */
  gains(target: Identity, subject: Identity): string[] {
    const key = `${rulesSignature(this.grantsOf(subject))}\0${identityKey(target)}`;
    let g = this.gainsCache.get(key);
    if (!g) {
      g = gainsOf(target, this.grantsOf(target), this.grantsOf(subject));
      this.gainsCache.set(key, g);
    }
    return g;
  }

  /**
   * How strong an identity is on its own (2: cluster-admin equivalent or Secrets in every namespace, 1: anything, 0:
   * nothing): an upper bound of what it gains over any subject, kept per identity.
   */
  strength(id: Identity): number {
    const key = identityKey(id);
    let s = this.strengthCache.get(key);
    if (s === undefined) {
      const sev = gainsSeverity(gainsOf(id, this.grantsOf(id), []));
      s = sev === 'error' ? 2 : sev ? 1 : 0;
      this.strengthCache.set(key, s);
    }
    return s;
  }

  grantsOf(id: Identity): Grant[] {
    const key = identityKey(id);
    let g = this.grantCache.get(key);
    if (!g) {
      g = this.u.bindings.grantsOf(id);
      this.grantCache.set(key, g);
    }
    return g;
  }

  edgesOf(id: Identity): Edge[] {
    const key = identityKey(id);
    let e = this.edges.get(key);
    if (!e) {
      const grants = this.grantsOf(id);
      // A cluster-admin equivalent is everything already: nothing to follow.
      if (id.kind === 'ClusterAdmin' || grants.some((g) => g.scope === '' && g.rules.some(isEverything))) e = [];
      else {
        const ctx = { identity: id, grants, u: this.u };
        e = this.finders.flatMap((f) => f(ctx));
      }
      this.edges.set(key, e);
    }
    return e;
  }

  /** The identities a target stands for. */
  expand(target: Target): Identity[] {
    switch (target.kind) {
      case 'identity':
        return [target.identity];
      case 'pool':
        return (this.u.serviceAccounts.get(target.namespace) ?? []).map((name) => ({ kind: 'ServiceAccount', namespace: target.namespace, name }));
      case 'allServiceAccounts':
        return this.allServiceAccounts();
      case 'anyone':
        return [...this.allServiceAccounts(), ...this.namedUsersAndGroups(target.exceptMasters)];
    }
  }

  private allServiceAccounts(): Identity[] {
    const out: Identity[] = [];
    for (const [namespace, names] of this.u.serviceAccounts) for (const name of names) out.push({ kind: 'ServiceAccount', namespace, name });
    return out;
  }

  private namedUsersAndGroups(exceptMasters: boolean): Identity[] {
    const users: Identity[] = [...this.u.bindings.users].sort().map((name) => ({ kind: 'User', name }));
    const groups: Identity[] = [...this.u.bindings.groups].filter((g) => !(exceptMasters && g === MASTERS)).sort().map((name) => ({ kind: 'Group', name }));
    return [...users, ...groups];
  }

  /** Breadth-first to the fixed point: every identity `subject` can become, each with a shortest path. */
  outbound(subject: Identity, maxNodes = MAX_NODES): Reached[] {
    const start = identityKey(subject);
    const seen = new Map<string, Reached>([[start, { identity: subject, path: [], hops: [] }]]);
    const queue: Reached[] = [seen.get(start)!];
    for (let i = 0; i < queue.length && seen.size <= maxNodes; i++) {
      const from = queue[i]!;
      for (const edge of this.edgesOf(from.identity)) {
        for (const to of this.expand(edge.target)) {
          const key = identityKey(to);
          if (seen.has(key) || seen.size > maxNodes) continue;
          const r = { identity: to, path: [...from.path, edge.step], hops: [...from.hops, to] };
          seen.set(key, r);
          queue.push(r);
        }
      }
    }
    seen.delete(start);
    return [...seen.values()];
  }

  /** Every identity of the universe (ServiceAccounts, named users and groups) that can become `subject`, shortest path first. */
  inbound(subject: Identity): Reached[] {
    const rev = (this.reverse ??= this.buildReverse());
    const start = identityKey(subject);
    // Paths are built forwards: the first step is the predecessor's.
    const seen = new Map<string, Reached>([[start, { identity: subject, path: [], hops: [] }]]);
    const queue: Reached[] = [seen.get(start)!];
    for (let i = 0; i < queue.length && seen.size < MAX_NODES; i++) {
      const to = queue[i]!;
      for (const { from, step } of rev.predecessors(to.identity)) {

        const key = identityKey(from);
        if (seen.has(key)) continue;
        const r = { identity: from, path: [step, ...to.path], hops: [to.identity, ...to.hops] };
        seen.set(key, r);
        queue.push(r);
      }
    }
    seen.delete(start);
    return [...seen.values()];
  }

  /** The identities a cluster names: every ServiceAccount, and the users and groups bindings name. */
  universeIdentities(): Identity[] {
    return [...this.allServiceAccounts(), ...this.namedUsersAndGroups(false)];
  }

  private buildReverse(): ReverseIndex {
    const rev = new ReverseIndex();
    for (const id of this.universeIdentities()) for (const edge of this.edgesOf(id)) rev.add(id, edge);
    return rev;
  }
}

class ReverseIndex {
  private readonly direct = new Map<string, { from: Identity; step: Step }[]>();
  private readonly pools = new Map<string, { from: Identity; step: Step }[]>();
  private readonly allSa: { from: Identity; step: Step }[] = [];
  private readonly anyone: { from: Identity; step: Step; exceptMasters: boolean }[] = [];

  add(from: Identity, edge: Edge): void {
    const t = edge.target;
    const e = { from, step: edge.step };
    if (t.kind === 'identity') push(this.direct, identityKey(t.identity), e);
    else if (t.kind === 'pool') push(this.pools, t.namespace, e);
    else if (t.kind === 'allServiceAccounts') this.allSa.push(e);
    else this.anyone.push({ ...e, exceptMasters: t.exceptMasters });
  }

  *predecessors(to: Identity): Generator<{ from: Identity; step: Step }> {
    yield* this.direct.get(identityKey(to)) ?? [];
    if (to.kind === 'ServiceAccount') {
      yield* this.pools.get(to.namespace) ?? [];
      yield* this.allSa;
    }
    if (to.kind === 'ServiceAccount' || to.kind === 'User' || (to.kind === 'Group' && to.name !== MASTERS)) yield* this.anyone;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
