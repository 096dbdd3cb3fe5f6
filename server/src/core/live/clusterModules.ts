// What of the live layer needs the Kubernetes client: entry point of dist/server-cluster.js, which the language
// server loads only when it first talks to a cluster (clusterLoader.ts), after the first offline diagnostics.
export { ClusterApi } from './clusterApi';
export { KubeconfigError, loadKubeconfig } from './kubeconfig';
export { dryRunFindings } from './dryRun';
