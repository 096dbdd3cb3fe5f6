import type { LoadedKubeconfig } from '../live/kubeconfig';
import type { IdentityCluster } from './kube';
import type { CreatedTracker } from './rollback';
import type { Logger, ObjectRef, Progress, StepId } from './types';

export type AfterStep = (step: StepId, created: readonly ObjectRef[]) => void | Promise<void>;

/** What every lifecycle flow (create, rotate, revoke, OIDC apply) runs with: the acting user, and the seams tests fill. */
export interface FlowDeps {
  /** The acting user's kubeconfig (context already chosen). */
  readonly kubeconfig: LoadedKubeconfig;
  /** Default: the real apiserver of `kubeconfig`. */
  readonly cluster?: IdentityCluster;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

/** The flows that mint a token and export it (create, rotate). */
export interface IssueFlowDeps extends FlowDeps {
  /** Called after each step succeeds; a throw aborts the run (and rolls back), as any failure would. */
  readonly afterStep?: AfterStep;
  /** How long to wait for the tokens controller (legacy Secrets). */
  readonly legacyTokenTimeoutMs?: number;
}

/** The step a flow is in: reported to progress, hooked by afterStep, and named in the error when the flow fails. */
export class StepRunner {
  current: StepId = 'preflight';

  constructor(
    private readonly progress: Progress,
    private readonly afterStep: AfterStep | undefined,
    private readonly tracker: CreatedTracker,
  ) {}

  enter(step: StepId, message: string): void {
    this.current = step;
    this.progress.step(step, message);
  }

  async done(step: StepId): Promise<void> {
    if (this.afterStep) await this.afterStep(step, this.tracker.created);
  }
}
