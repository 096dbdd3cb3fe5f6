// Entry point of dist/cli-cluster.js: the CLI's code that talks to a cluster (see bundles.ts).
export { runIdentity } from './identity';
export { runIdentities } from './identities';
export { liveAnalyzeOptions } from './liveOptions';
