// Types for lifecycle.mjs.
export interface ClusterEnv {
  KUBECONFIG_ADMIN: string;
  KUBECONFIG_DEVELOPER: string;
  KUBECONFIG_VIEWER: string;
  /** The GitHub-shaped (GitHub Enterprise Server style) CI OIDC issuer of the test cluster. */
  PIPELINE_RBAC_OIDC_ISSUER: string;
  /** The GitLab-shaped (self-managed instance) CI OIDC issuer of the test cluster. */
  PIPELINE_RBAC_OIDC_ISSUER_GITLAB: string;
}
/** Starts (or reuses) the test cluster synchronously; stderr of `up` is inherited. */
export declare function startCluster(): { env: ClusterEnv; startedHere: boolean };
/** Stops the cluster unless another live test run still holds a lease on it. */
export declare function stopClusterNow(): void;
