/**
 * How many namespaces of one file the live layer reads (a SelfSubjectRulesReview and SelfSubjectAccessReviews each):
 * a file that names 2,000 namespaces must not become 4,000 requests to the user's cluster. The live layer reads the
 * first LIVE_NAMESPACES_PER_FILE in file order; the engine says, in one finding, what was not checked live. Both use
 * liveNamespaces, so they agree on which.
 */
import type { Finding, RbacObject } from '../model';
import type { HeldPermissions } from './heldPermissions';
import { goQuote } from './goFormat';

export const LIVE_NAMESPACES_PER_FILE = 50;

/** The namespace an object is checked in live ('' cluster-wide), as the live layer asks for it. */
export function liveNamespaceOf(o: RbacObject, defaultNamespace: string): string {
  return o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding' ? '' : (o.namespace ?? defaultNamespace);
}

/** The namespaces read for these objects (first `limit` distinct ones in file order) and those left out. */
export function liveNamespaces(objects: readonly RbacObject[], defaultNamespace: string, limit = LIVE_NAMESPACES_PER_FILE): { read: Set<string>; skipped: Set<string> } {
  const read = new Set<string>();
  const skipped = new Set<string>();
  for (const o of objects) {
    const ns = liveNamespaceOf(o, defaultNamespace);
    if (read.has(ns)) continue;
    if (read.size < limit) read.add(ns);
    else skipped.add(ns);
  }
  return { read, skipped };
}

/** One finding on the first object whose namespace was not read live, naming how many were not. */
export function unreadNamespacesFinding(objects: readonly RbacObject[], held: HeldPermissions, defaultNamespace: string): Finding | undefined {
  const limit = held.liveNamespaceLimit;
  if (limit === undefined) return undefined;
  const { skipped } = liveNamespaces(objects, defaultNamespace, limit);
  if (skipped.size === 0) return undefined;
  const first = objects.find((o) => skipped.has(liveNamespaceOf(o, defaultNamespace)))!;
  const n = skipped.size;
  return {
    ruleId: 'not-held',
    severity: 'information',
    message: `${n.toLocaleString('en-US')} namespace${n === 1 ? '' : 's'} of this file (from namespace ${goQuote(liveNamespaceOf(first, defaultNamespace))} on) ${n === 1 ? 'was' : 'were'} not checked against your live permissions: at most ${limit} namespaces per file are read from the cluster (${held.source})`,
    span: first.pointerSpans.get('/metadata/namespace') ?? first.kindSpan,
    documentIndex: first.documentIndex,
  };
}
