/**
 * The Kubernetes client (over 1 MB of code) on first use. The language server's bundle is built with
 * PIPELINE_RBAC_CLUSTER_BUNDLE naming its sibling bundle (scripts/build.mjs), so starting the server and publishing
 * the first offline diagnostics does not wait for it; every other bundle, and the sources under test, take the modules
 * directly (esbuild drops the branch not taken).
 */
import { join } from 'node:path';
import type * as ClusterModules from './clusterModules';

declare const PIPELINE_RBAC_CLUSTER_BUNDLE: string | undefined;

let loaded: typeof ClusterModules | undefined;

export function clusterModules(): typeof ClusterModules {
  loaded ??=
    typeof PIPELINE_RBAC_CLUSTER_BUNDLE === 'string'
      ? (require(join(__dirname, PIPELINE_RBAC_CLUSTER_BUNDLE)) as typeof ClusterModules)
      : (require('./clusterModules') as typeof ClusterModules);
  return loaded;
}
