/**
 * The CLI is several bundles (scripts/build.mjs): `check` starts without parsing the Kubernetes client and the
 * identity code (measured: loading the whole CLI took 0.25 s, the check bundle 0.13 s). Each loads the next by path.
 */
import { join } from 'node:path';
import type * as CheckBundle from './check';
import type * as ClusterBundle from './clusterCommands';

export function loadCheck(): typeof CheckBundle {
  return require(join(__dirname, 'cli-check.js')) as typeof CheckBundle;
}

/** Everything that talks to a cluster: identity, identities, check --live. */
export function loadCluster(): typeof ClusterBundle {
  return require(join(__dirname, 'cli-cluster.js')) as typeof ClusterBundle;
}
