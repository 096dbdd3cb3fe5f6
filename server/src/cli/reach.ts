/**
 * `pipeline-rbac reach --namespace NS --name SA [--prove] [--format text|json|sarif]`: what the ServiceAccount can
 * become and who can become it, from ONE inventory read of the cluster (cluster-wide lists where allowed, else per
 * namespace; no list per identity). With --prove every outbound path is asked of the apiserver as the identity.
 */
import { parseArgs } from 'node:util';
import { fetchSnapshot } from '../core/inventory/fetch';
import { KubeHttp } from '../core/inventory/http';
import { KubeIdentityCluster } from '../core/lifecycle/kube';
import { checkNamespace, checkServiceAccountName, InvalidInputError } from '../core/lifecycle/names';
import { KubeconfigError, loadKubeconfig, type LoadedKubeconfig } from '../core/live/kubeconfig';
import { LiveError } from '../core/live/liveError';
import { ReachGraph, reachResult, type Identity, type Universe } from '../core/reach';
import { escapeControl } from '../core/shared/controlChars';
import { errorText } from '../core/engine/text/errorText';
import { UsageError } from './errors';
import { proveReach } from './reachProve';
import { reachJson, reachSarif, reachText } from './reachFormat';
import { universeFromSnapshot } from './reachUniverse';

declare const PIPELINE_RBAC_VERSION: string | undefined;

export const REACH_USAGE = `Usage: pipeline-rbac reach --namespace NS --name SA [--prove] [--format text|json|sarif]
       [--kubeconfig FILE] [--context NAME]
  What the ServiceAccount can become (each identity with the shortest path of steps, the rule and binding allowing
  each, and what it gains) and who can become it, from one read of the cluster's RBAC, ServiceAccounts and token
  Secret metadata. What could not be read is listed and the result is then marked incomplete (docs/reach.md).
  --prove  asks the apiserver as the identity (a 10-minute token held in memory): SelfSubjectAccessReview for every
           step and a dryRun=All create of a Pod with the reached serviceAccountName where a step leads to one.
  Exit 0 when nothing reached gains more than the identity holds, 1 otherwise, 2 on usage errors or an unreachable cluster.
`;

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        namespace: { type: 'string', short: 'n' },
        name: { type: 'string' },
        prove: { type: 'boolean' },
        format: { type: 'string', short: 'f' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(errorText(err));
  }
}

function load(kubeconfig: string | undefined, context: string | undefined): LoadedKubeconfig {
  try {
    return loadKubeconfig({ kubeconfig, context, trusted: true });
  } catch (err) {
    if (err instanceof KubeconfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** One inventory read of every namespace the user may see, as reach's universe. */
export async function snapshotUniverse(loaded: LoadedKubeconfig, alsoNamespace?: string): Promise<Universe> {
  const http = new KubeHttp(loaded.kc);
  try {
    const fallback = [...new Set([loaded.namespace, alsoNamespace].filter((x): x is string => !!x))];
    return universeFromSnapshot(await fetchSnapshot(http, { fallbackNamespaces: fallback }));
  } finally {
    http.dispose();
  }
}

/** For `check --live`: the cluster's universe. */
export function liveReachUniverse(opts: { kubeconfig?: string | undefined; context?: string | undefined }): Promise<Universe> {
  return snapshotUniverse(load(opts.kubeconfig, opts.context));
}

export async function runReach(argv: string[]): Promise<number> {
  const values = parse(argv);
  if (values.help) {
    process.stdout.write(REACH_USAGE);
    return 0;
  }
  if (!values.namespace || !values.name) throw new UsageError(`reach needs --namespace and --name\n${REACH_USAGE}`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError(`--format must be text, json or sarif, not "${format}"`);
  try {
    checkNamespace(values.namespace);
    checkServiceAccountName(values.name);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new UsageError(err.message);
    throw err;
  }
  const loaded = load(values.kubeconfig, values.context);
  const subject: Identity = { kind: 'ServiceAccount', namespace: values.namespace, name: values.name };
  try {
    const graph = new ReachGraph(await snapshotUniverse(loaded, values.namespace));
    const proofs = values.prove ? await proveReach(loaded.kc, new KubeIdentityCluster(loaded.kc), graph, subject) : undefined;
    const result = reachResult(graph, subject, proofs);
    const version = typeof PIPELINE_RBAC_VERSION === 'string' ? PIPELINE_RBAC_VERSION : '0.0.0';
    process.stdout.write(format === 'json' ? reachJson(result) : format === 'sarif' ? reachSarif(result, version) : reachText(result));
    return result.reaches.some((r) => r.gains.length > 0) ? 1 : 0;
  } catch (err) {
    if (err instanceof LiveError) {
      process.stderr.write(`pipeline-rbac: ${escapeControl(err.message)}\n`);
      return err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'unauthorized' ? 2 : 1;
    }
    throw err;
  }
}
