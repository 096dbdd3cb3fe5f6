/** A ReachResult (the JSON the CLI prints) from the graph's searches. */
import { gainsSeverity } from './gains';
import { matchText } from './grants';
import type { ReachGraph, Reached } from './graph';
import { identityKey } from './identity';
import type { Step } from './step';
import type { Identity, ReachEntry, ReachResult, ViaStep } from './types';

export const NOT_PROVEN = 'not checked: run with --prove to ask the apiserver (admission webhooks or policies that might block a step are unknown)';

const viaCache = new WeakMap<Step, ViaStep>();

/** The JSON form of a step; one per step (a step to every account of a namespace is shared by all of them). */
export function viaOf(step: Step): ViaStep {
  let via = viaCache.get(step);
  if (!via) {
    via = viaText(step);
    viaCache.set(step, via);
  }
  return via;
}

function viaText(step: Step): ViaStep {
  const bindings = [...new Set(step.matches.map((m) => m.grant.binding))];
  return {
    step: step.note ? `${step.action} (${step.note})` : step.action,
    namespace: step.namespace,
    rule: step.matches.map(matchText).join(' + '),
    binding: bindings.join(' + '),
  };
}

export interface ReachedWithGains extends Reached {
  gains: string[];
}

/** Outbound reach with gains, worst first (then shorter paths, then by name). */
export function outboundWithGains(graph: ReachGraph, subject: Identity): ReachedWithGains[] {
  const out = graph.outbound(subject).map((r) => ({ ...r, gains: graph.gains(r.identity, subject) }));
  const rank = (g: string[]): number => (gainsSeverity(g) === 'error' ? 2 : g.length ? 1 : 0);
  return out.sort((a, b) => rank(b.gains) - rank(a.gains) || a.path.length - b.path.length || (identityKey(a.identity) < identityKey(b.identity) ? -1 : 1));
}

export function reachResult(graph: ReachGraph, subject: Identity, proofs?: ReadonlyMap<string, string>): ReachResult {
  const reaches: ReachEntry[] = outboundWithGains(graph, subject).map((r) => {
    const key = identityKey(r.identity);
    return { subject: key, via: r.path.map(viaOf), gains: r.gains, proof: proofs?.get(key) ?? NOT_PROVEN };
  });
  const reachableBy = graph
    .inbound(subject)
    .sort((a, b) => a.path.length - b.path.length || (identityKey(a.identity) < identityKey(b.identity) ? -1 : 1))
    .map((r) => ({ subject: identityKey(r.identity), via: r.path.map(viaOf) }));
  const notVisible = [...graph.u.universe.notVisible];
  return { identity: identityKey(subject), complete: notVisible.length === 0, notVisible, reaches, reachableBy };
}
