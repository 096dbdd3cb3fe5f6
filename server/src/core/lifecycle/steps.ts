import type { CreatedTracker } from './rollback';
import type { ObjectRef, Progress, StepId } from './types';

export type AfterStep = (step: StepId, created: readonly ObjectRef[]) => void | Promise<void>;

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
