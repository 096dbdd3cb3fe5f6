// Reach: what an identity can become, and who can become it. A pure graph over a universe of RBAC objects (from the
// cluster's inventory or the workspace's files); front ends import this facade (eslint.config.mjs).
export type { Identity, ReachEntry, ReachResult, Universe, UniverseBinding, UniversePod, UniverseRole, UniverseSubject, ViaStep } from './types';
export { ReachGraph, type Reached } from './graph';
export { identityKey, saUsername } from './identity';
export { gainsOf, gainsSeverity, CLUSTER_ADMIN, shortName } from './gains';
export { NOT_PROVEN, outboundWithGains, reachResult, viaOf, type ReachedWithGains } from './result';
export type { AccessCheck, Step, StepId, Target } from './step';
export { aggregateRoles } from './aggregate';

import { ReachGraph } from './graph';
import { reachResult } from './result';
import type { Identity, ReachResult, Universe } from './types';

/** The reach of one subject over a universe. */
export function computeReach(universe: Universe, subject: Identity): ReachResult {
  return reachResult(new ReachGraph(universe), subject);
}
export { reachObjectOf, universeOfObjects, type ReachObject } from './fromObjects';
export { reachFindings } from './findings';
