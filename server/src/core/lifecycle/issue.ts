// The steps create and rotate share, in the order both run them: mint the token, build the kubeconfig around it, and
// (after the caller's annotate step) export it. Both secrets join the flow's redactor the moment they exist.
import type { Redactor } from '../stores/redact';
import type { PutResult, SecretStore } from '../stores/secretStore';
import type { IdentityCluster } from './kube';
import { buildKubeconfig, type ClusterEndpoint } from './kubeconfig';
import type { CreatedTracker } from './rollback';
import type { StepRunner } from './steps';
import { mintBoundToken, mintLegacyToken, type MintedToken } from './token';
import type { ExportInfo, ObjectRef } from './types';

export interface IssueContext {
  readonly cluster: IdentityCluster;
  readonly steps: StepRunner;
  readonly tracker: CreatedTracker;
  readonly redactor: Redactor;
  readonly warnings: string[];
  readonly now: () => Date;
  readonly legacyTokenTimeoutMs?: number | undefined;
}

export interface IssueTarget {
  readonly namespace: string;
  readonly name: string;
  /** The ServiceAccount's uid: the token Secret's owner, so the garbage collector removes it with the account. */
  readonly uid: string | undefined;
  readonly endpoint: ClusterEndpoint;
}

export type TokenSpec = ({ readonly kind: 'request'; readonly durationSeconds: number } | { readonly kind: 'secret' }) & {
  /** What the progress says while the token is minted. */
  readonly message: string;
};

/** The token step, then the kubeconfig step. */
export async function mintKubeconfig(ctx: IssueContext, target: IssueTarget, token: TokenSpec): Promise<{ minted: MintedToken; kubeconfig: string }> {
  const { namespace, name } = target;
  ctx.steps.enter('token', token.message);
  const mintOpts = { namespace, serviceAccount: name, serviceAccountUid: target.uid, track: (r: ObjectRef) => ctx.tracker.add(r), now: ctx.now };
  const minted =
    token.kind === 'request'
      ? await mintBoundToken(ctx.cluster, token.durationSeconds, mintOpts)
      : await mintLegacyToken(ctx.cluster, { ...mintOpts, ...(ctx.legacyTokenTimeoutMs ? { timeoutMs: ctx.legacyTokenTimeoutMs } : {}) });
  ctx.redactor.add(minted.token);
  ctx.warnings.push(...minted.warnings);
  await ctx.steps.done('token');

  ctx.steps.enter('kubeconfig', 'Building the kubeconfig...');
  const kubeconfig = buildKubeconfig({ cluster: target.endpoint, namespace, serviceAccount: name, token: minted.token });
  ctx.redactor.add(kubeconfig, true);
  await ctx.steps.done('kubeconfig');
  return { minted, kubeconfig };
}

/** The export step: the store write, the last step that can fail. `stored` learns of the write before the step ends. */
export async function exportKubeconfig(ctx: IssueContext, store: SecretStore, kubeconfig: string, stored?: (put: PutResult) => void): Promise<PutResult> {
  ctx.steps.enter('export', `Exporting to ${store.describe()}...`);
  const put = await store.put(kubeconfig);
  stored?.(put);
  ctx.warnings.push(...put.warnings);
  await ctx.steps.done('export');
  return put;
}

/** Where the kubeconfig went, for the result (never what it was). */
export function exportInfo(store: SecretStore, put: PutResult): ExportInfo {
  return { store: store.describe(), location: put.location, action: put.action, ...(put.version !== undefined ? { version: put.version } : {}) };
}
