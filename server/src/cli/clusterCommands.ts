// Entry point of dist/cli-cluster.js: the CLI's code that talks to a cluster (see bundles.ts).
import { runIdentity as runIdentityFlows } from './identity';
import { runVerify } from './verify';

/** `identity verify` lives in its own module; every other identity command in identity.ts. */
export function runIdentity(argv: string[]): Promise<number> {
  return argv[0] === 'verify' ? runVerify(argv.slice(1)) : runIdentityFlows(argv);
}
export { runIdentities } from './identities';
export { liveAnalyzeOptions } from './liveOptions';
export { liveReachUniverse, runReach } from './reach';
