// The live cluster layer as the extension host reaches it (kubeconfigs, the cluster API).
// Front ends import this facade, never the modules behind it (eslint.config.mjs).
export { KubeconfigError, kubeconfigPaths, loadKubeconfig, type KubeconfigChoice, type LoadedKubeconfig } from './kubeconfig';
export { ClusterApi, type AccessQuery, type RulesReview, type Whoami } from './clusterApi';
