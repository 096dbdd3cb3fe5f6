/** One step from an identity to another: what it does, which rules allow it, and what --prove asks the apiserver. */
import type { ResourceRequest } from '../engine/rbac/evaluate';
import type { Grant, Match } from './grants';
import type { Identity } from './types';
import type { UniverseIndex } from './universeIndex';

export type StepId =
  | 'workload'
  | 'token-request'
  | 'secret-read'
  | 'token-secret'
  | 'pod-takeover'
  | 'nodes-proxy'
  | 'impersonate'
  | 'bind'
  | 'escalate'
  | 'csr'
  | 'admission'
  | 'aws-auth';

/** A SelfSubjectAccessReview the step needs ('' namespace: cluster-scoped). */
export interface AccessCheck extends ResourceRequest {
  namespace: string;
}

export interface Step {
  id: StepId;
  /** "create deployments.apps", "list secrets", "create serviceaccounts/token db-migrator". */
  action: string;
  /** '' for a cluster-scoped step. */
  namespace: string;
  matches: Match[];
  checks: AccessCheck[];
  /** A sentence qualifying the step (pods not listed, an admission plugin that refuses part of it...). */
  note?: string;
}

/** Where a step leads: one identity, every ServiceAccount of a namespace (or of all), or anyone but system:masters. */
export type Target =
  | { kind: 'identity'; identity: Identity }
  | { kind: 'pool'; namespace: string }
  | { kind: 'allServiceAccounts' }
  | { kind: 'anyone'; exceptMasters: boolean };

export interface Edge {
  step: Step;
  target: Target;
}

export interface StepContext {
  identity: Identity;
  grants: readonly Grant[];
  u: UniverseIndex;
}

export type StepFinder = (ctx: StepContext) => Edge[];

export function check(req: ResourceRequest, namespace: string): AccessCheck {
  return { ...req, namespace };
}

/** `deployments.apps`, `pods`: how kubectl names a resource. */
export function resourceName(group: string, resource: string, subresource?: string): string {
  const r = group ? `${resource}.${group}` : resource;
  return subresource ? `${r.split('.')[0]}/${subresource}${group ? `.${group}` : ''}` : r;
}
