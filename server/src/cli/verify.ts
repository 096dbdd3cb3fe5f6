/**
 * `pipeline-rbac identity verify --namespace NS --name NAME --manifests PATH... [--deployer D]`: asks the cluster, as
 * the pipeline's ServiceAccount, whether the deploy would go through (server/src/core/verify). Exit 0 when everything is
 * allowed, 1 otherwise, 2 on usage errors or an unreachable cluster.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinCatalog } from '../core/engine/catalog/apiCatalog';
import { deployAction, deployerNeeds, DEPLOYERS, isDeployer } from '../core/engine/deployer/needs';
import { manifestKinds } from '../core/engine/leastPrivilege/needed';
import { KubeIdentityCluster } from '../core/lifecycle/kube';
import { checkNamespace, checkServiceAccountName, InvalidInputError } from '../core/lifecycle/names';
import { KubeconfigError, loadKubeconfig } from '../core/live/kubeconfig';
import { LiveError } from '../core/live/liveError';
import { verifyAsIdentity } from '../core/verify/asIdentity';
import { manifestDocs, MAX_OBJECTS, type ManifestDoc } from '../core/verify/objects';
import { formatVerify, verifyExitCode, verifyJson } from '../core/verify/report';
import { escapeControl } from '../core/shared/controlChars';
import { UsageError } from './errors';
import { expandOperands, readText } from './files';
import { partitionOperands, render } from './renderInputs';
import { errorText } from '../core/engine/text/errorText';

export const VERIFY_USAGE = `Usage: pipeline-rbac identity verify --namespace NS --name NAME --manifests PATH... [--deployer kubectl|server-side-apply|helm]
       [--release R] [--values FILE] [--set K=V] [--kubeconfig FILE] [--context NAME] [--format text|json]
  Mints a 10-minute token for the ServiceAccount (held in memory only), then, as it, dry-runs a server-side apply of
  every manifest object (files, globs, chart and kustomize folders) and asks SelfSubjectAccessReview for what the
  deploy tool sends besides. Exit 0 when everything is allowed, 1 otherwise, 2 on usage errors or an unreachable cluster.
`;

export async function runVerify(argv: string[], cwd = process.cwd()): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        namespace: { type: 'string', short: 'n' },
        name: { type: 'string' },
        manifests: { type: 'string', multiple: true },
        deployer: { type: 'string' },
        release: { type: 'string' },
        values: { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(errorText(err));
  }
  if (values.help) {
    process.stdout.write(VERIFY_USAGE);
    return 0;
  }
  const deployer = values.deployer ?? 'kubectl';
  if (!isDeployer(deployer)) throw new UsageError(`--deployer must be one of ${DEPLOYERS.join(', ')}, not "${values.deployer}"`);
  if (!values.namespace || !values.name || !values.manifests?.length) throw new UsageError(`identity verify needs --namespace, --name and --manifests\n${VERIFY_USAGE}`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
  try {
    checkNamespace(values.namespace);
    checkServiceAccountName(values.name);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new UsageError(err.message);
    throw err;
  }
  let loaded;
  try {
    loaded = loadKubeconfig({ kubeconfig: values.kubeconfig, context: values.context, trusted: true });
  } catch (err) {
    if (err instanceof KubeconfigError) throw new UsageError(err.message);
    throw err;
  }

  const flags = { release: values.release, namespace: values.namespace, values: values.values ?? [], set: values.set ?? [] };
  const docs = await loadDocs(values.manifests, flags, cwd);
  const catalog = builtinCatalog();
  const kinds = docs.flatMap((d) => manifestKinds(JSON.stringify(d.value), d.source));
  const needs = deployerNeeds(kinds, deployer, (g, k) => catalog.resourceForKind(g, k));
  try {
    const result = await verifyAsIdentity(loaded.kc, new KubeIdentityCluster(loaded.kc), { namespace: values.namespace, serviceAccount: values.name, docs, needs, catalog });
    process.stdout.write(format === 'json' ? verifyJson(result) : formatVerify(result, deployAction(deployer)));
    return verifyExitCode(result);
  } catch (err) {
    if (err instanceof LiveError) {
      process.stderr.write(`pipeline-rbac: ${escapeControl(err.message)}\n`);
      return err.kind === 'unreachable' || err.kind === 'timeout' ? 2 : 1;
    }
    throw err;
  }
}

async function loadDocs(operands: string[], flags: Parameters<typeof render>[2], cwd: string): Promise<ManifestDoc[]> {
  const parts = await partitionOperands(operands, cwd);
  const docs: ManifestDoc[] = [];
  for (const f of parts.plain.length ? await expandOperands(parts.plain, cwd) : []) docs.push(...manifestDocs(await readText(f), relative(cwd, f) || f));
  for (const r of parts.rendered) {
    const outcome = await render(r.dir, r.kind, flags, cwd);
    if (!outcome.ok) throw new UsageError(`${outcome.error.path}: ${outcome.error.message}`);
    const set = outcome.set;
    for (const d of set.docs) docs.push(...manifestDocs(set.text.slice(d.start, d.end), set.map({ start: d.start, end: d.start })?.path ?? set.label));
  }
  if (docs.length > MAX_OBJECTS) throw new UsageError(`more than ${MAX_OBJECTS} manifest objects; verify a smaller set`);
  if (docs.length === 0) throw new UsageError('the manifests hold no Kubernetes objects');
  // Kustomize's own bookkeeping annotations are not the user's: strip them before asking the apiserver.
  for (const d of docs) stripBuildAnnotations(d.value);
  return docs;
}

function stripBuildAnnotations(v: Record<string, unknown>): void {
  const meta = v.metadata as { annotations?: Record<string, unknown> } | undefined;
  if (!meta?.annotations) return;
  delete meta.annotations['config.kubernetes.io/origin'];
  delete meta.annotations['alpha.config.kubernetes.io/transformations'];
  if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
}
