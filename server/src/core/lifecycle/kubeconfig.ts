// The pipeline's kubeconfig, built in-process from the cluster entry of the acting context and the
// new token. Only the cluster's address and CA are copied: never the operator's user entry, exec
// plugin, client certificate or auth provider.
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { LoadedKubeconfig } from '../live/kubeconfig';

export interface ClusterEndpoint {
  /** Cluster entry name in the new kubeconfig. */
  readonly name: string;
  readonly server: string;
  /** Base64 PEM of the CA bundle; absent: the system trust store is used. */
  readonly caData?: string;
  readonly tlsServerName?: string;
  readonly insecureSkipTlsVerify?: boolean;
}

export class KubeconfigBuildError extends Error {
  override readonly name = 'KubeconfigBuildError';
}

/**
 * The acting context's cluster as an endpoint for a pipeline: a CA file is read into CA data (the
 * runner does not have the operator's files). `server` replaces the URL (e.g. the public address).
 */
export function clusterEndpoint(source: KubeConfig | LoadedKubeconfig, server?: string): ClusterEndpoint {
  const kc = 'kc' in source ? source.kc : source;
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigBuildError('the current context names no cluster');
  let caData = cluster.caData;
  if (!caData && cluster.caFile) {
    try {
      caData = readFileSync(cluster.caFile).toString('base64');
    } catch (err) {
      throw new KubeconfigBuildError(`cannot read the cluster CA file ${cluster.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return {
    name: cluster.name,
    server: server || cluster.server,
    ...(caData ? { caData } : {}),
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
    ...(cluster.skipTLSVerify ? { insecureSkipTlsVerify: true } : {}),
  };
}

export interface KubeconfigInput {
  readonly cluster: ClusterEndpoint;
  readonly namespace: string;
  /** The ServiceAccount name; names the user and context entries. */
  readonly serviceAccount: string;
  readonly token: string;
}

/** kubeconfig YAML for one ServiceAccount token. The token is the only secret in it. */
export function buildKubeconfig(input: KubeconfigInput): string {
  const { cluster, namespace, serviceAccount, token } = input;
  if (!/^[\x21-\x7e]+$/.test(token)) throw new KubeconfigBuildError('the token is empty or not printable ASCII');
  const context = `${serviceAccount}@${cluster.name}`;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster.name,
        cluster: {
          server: cluster.server,
          ...(cluster.caData ? { 'certificate-authority-data': cluster.caData } : {}),
          ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
          ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: serviceAccount, user: { token } }],
    contexts: [{ name: context, context: { cluster: cluster.name, namespace, user: serviceAccount } }],
    'current-context': context,
    preferences: {},
  };
  // lineWidth 0: never fold (a folded token or CA breaks naive consumers).
  return stringify(config, { lineWidth: 0, minContentWidth: 0 });
}

/** Why the endpoint would expose the pipeline's token on the network (empty: it would not). */
export function insecureEndpointReasons(cluster: ClusterEndpoint): string[] {
  const out: string[] = [];
  if (/^http:/i.test(cluster.server)) out.push(`the API server ${cluster.server} is plain http: the token would cross the network unencrypted`);
  if (cluster.insecureSkipTlsVerify) out.push('your context sets insecure-skip-tls-verify, which would be copied: anyone on the path could read the token');
  return out;
}

/** What the user should know about the endpoint written into the kubeconfig (insecure ones only when allowed). */
export function endpointWarnings(cluster: ClusterEndpoint): string[] {
  const out: string[] = [];
  const insecure = insecureEndpointReasons(cluster);
  if (insecure.length) {
    out.push(`The exported kubeconfig is insecure, as you allowed: ${insecure.join('; ')}.`);
  } else if (!cluster.caData) {
    out.push('The exported kubeconfig has no CA data: the runner must trust the API server certificate through its system trust store.');
  }
  return out;
}

/** Refuses an endpoint that would expose the token unless the user opted in (CLI --allow-insecure-server, VS Code asks). */
export function checkEndpointSecurity(cluster: ClusterEndpoint, allowInsecure = false): void {
  const reasons = insecureEndpointReasons(cluster);
  if (reasons.length && !allowInsecure) {
    throw new KubeconfigBuildError(
      `Refusing to export a kubeconfig: ${reasons.join('; ')}. Give an https API server whose certificate the CA data verifies (--server https://...), or opt in explicitly (--allow-insecure-server).`,
    );
  }
}
