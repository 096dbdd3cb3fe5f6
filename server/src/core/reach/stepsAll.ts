/** Every step finder, in the order a path prefers them when two are equally short. */
import type { StepFinder } from './step';
import { nodesProxySteps, podTakeoverSteps, secretReadSteps, tokenRequestSteps, tokenSecretSteps, workloadSteps } from './stepsPods';
import { admissionSteps, awsAuthSteps, bindSteps, csrSteps, escalateSteps, impersonateSteps } from './stepsRbac';

export const ALL_STEPS: readonly StepFinder[] = [
  admissionSteps,
  awsAuthSteps,
  escalateSteps,
  impersonateSteps,
  tokenRequestSteps,
  secretReadSteps,
  workloadSteps,
  tokenSecretSteps,
  podTakeoverSteps,
  nodesProxySteps,
  bindSteps,
  csrSteps,
];
