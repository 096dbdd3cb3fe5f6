/**
 * The one entry point the CLI and the tree view share: kubeconfig -> fetch -> model. Errors are LiveError (cluster)
 * or KubeconfigError (no usable kubeconfig), each one sentence without credentials.
 */
import type { SeverityOverrides } from '../engine/severity';
import { ClusterApi } from '../live/clusterApi';
import { loadKubeconfig, type LoadedKubeconfig } from '../live/kubeconfig';
import { LiveError } from '../live/liveError';
import { fetchSnapshot } from './fetch';
import { KubeHttp } from './http';
import { buildIdentitiesModel } from './model';
import { accessMatrix, type AccessMatrix, type ResourceName } from './myAccess';
import type { IdentitiesModel } from './types';

export interface IdentitiesRequest {
  kubeconfig?: string;
  context?: string;
  /** False in an untrusted workspace (no exec plugins). */
  trusted: boolean;
  /** 'all': every namespace the user may see; a list: those; undefined: the context's namespace. */
  namespaces?: 'all' | string[];
  /** Extra namespaces to try when cluster-wide listing is forbidden (e.g. the pipelineRbac.namespace setting). */
  fallbackNamespaces?: string[];
  allServiceAccounts?: boolean;
  severities?: SeverityOverrides;
  now?: Date;
  pageSize?: number;
  concurrency?: number;
  /** Ask who the user is (SelfSubjectReview); default true. */
  whoami?: boolean;
}

export async function loadIdentities(req: IdentitiesRequest, env: NodeJS.ProcessEnv = process.env): Promise<IdentitiesModel> {
  const loaded = loadKubeconfig({ kubeconfig: req.kubeconfig, context: req.context, trusted: req.trusted }, env);
  return identitiesFor(loaded, req);
}

/** Same as loadIdentities for an already loaded kubeconfig (the tree keeps one per context). */
export async function identitiesFor(loaded: LoadedKubeconfig, req: Omit<IdentitiesRequest, 'kubeconfig' | 'context' | 'trusted'>): Promise<IdentitiesModel> {
  const http = new KubeHttp(loaded.kc);
  try {
    const whoami = req.whoami === false ? undefined : new ClusterApi(loaded.kc).whoami().catch((err: unknown) => {
      // Who we are is decoration; a cluster without SelfSubjectReview still gets its tree. Bad credentials do not.
      if (err instanceof LiveError && err.kind === 'unauthorized') throw err;
      return undefined;
    });
    const namespaces = req.namespaces === 'all' ? undefined : (req.namespaces ?? [loaded.namespace]);
    const fallback = [...new Set([loaded.namespace, ...(req.fallbackNamespaces ?? [])].filter(Boolean))];
    // One await for both: a failure of either never leaves the other's rejection unhandled.
    const [snapshot, who] = await Promise.all([
      fetchSnapshot(http, {
        ...(namespaces ? { namespaces } : {}),
        fallbackNamespaces: fallback,
        ...(req.pageSize ? { pageSize: req.pageSize } : {}),
        ...(req.concurrency ? { concurrency: req.concurrency } : {}),
      }),
      whoami,
    ]);
    if (who) snapshot.stats.otherRequests += 1;
    return buildIdentitiesModel(snapshot, {
      now: req.now ?? new Date(),
      allServiceAccounts: req.allServiceAccounts === true,
      context: loaded.context,
      server: loaded.server,
      ...(who ? { user: who.username } : {}),
      ...(req.severities ? { severities: req.severities } : {}),
    });
  } finally {
    http.dispose();
  }
}

/** "My Access" in one namespace: the user's SelfSubjectRulesReview as a matrix. */
export async function myAccessFor(loaded: LoadedKubeconfig, namespace: string, resources?: readonly ResourceName[]): Promise<AccessMatrix> {
  const review = await new ClusterApi(loaded.kc).rulesReview(namespace);
  return accessMatrix(review, namespace, resources);
}
