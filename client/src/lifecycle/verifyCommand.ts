/**
 * "Pipeline RBAC: Verify Pipeline Identity...": as the identity (a 10-minute token, held in memory only), dry-run the
 * workspace's `pipelineRbac.manifests` (files, charts, overlays) and ask SelfSubjectAccessReview for the deployer's own
 * requests (server/src/core/verify). The result opens as a read-only document named after the identity; the token is
 * never shown or logged.
 */
import { ProgressLocation, window, workspace } from 'vscode';
import type { ViewNode } from '../inventory/treeNodes';
import { builtinCatalog, deployAction, deployerNeeds, manifestKinds } from '../../../server/src/core/engine';
import { KubeIdentityCluster } from '../../../server/src/core/lifecycle';
import { renderWorkspaceDir, splitManifestSettings } from '../../../server/src/core/render';
import { formatVerify, type ManifestDoc, manifestDocs, MAX_OBJECTS, verifyAsIdentity, verifyExitCode } from '../../../server/src/core/verify';
import { forEachWorkspaceFile } from '../../../server/src/core/shared';
import { readSettings } from '../settings';
import { actingKubeconfig, type IdentityCommandDeps } from './common';
import { refFromNode } from './lifecycleModel';
import { resolveRef } from './lifecycleCommands';
import { errorText } from '../../../server/src/core/engine';

/** Where the last verification of an identity is kept (workspace state: the result, never the token). */
export function verifiedKey(context: string, namespace: string, name: string): string {
  return `pipelineRbac.verified/${context}/${namespace}/${name}`;
}

/** The workspace manifests the settings name, as full objects with the file each came from. */
async function workspaceDocs(): Promise<ManifestDoc[]> {
  const s = readSettings();
  const folders = (workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const { globs, dirs } = splitManifestSettings(folders, s.manifests);
  const docs: ManifestDoc[] = [];
  // The same bounded, link-refusing reader the language server indexes with: workspace files are untrusted.
  const scan = await forEachWorkspaceFile(folders, globs, (text, rel) => void docs.push(...manifestDocs(text, rel)));
  // Verifying part of the manifests and reporting "allowed" would not be true of the deploy: say what was left out.
  if (scan.refusedGlobs.length) throw new Error(`pipelineRbac.manifests: ${scan.refusedGlobs.join(', ')} could match outside the workspace folder`);
  if (scan.stoppedBecause) throw new Error(`pipelineRbac.manifests: not every file was read (${scan.stoppedBecause})`);
  if (scan.skippedCount) {
    const first = scan.skipped.map((x) => `${x.path}: ${x.reason}`).join('; ');
    throw new Error(`pipelineRbac.manifests: ${scan.skippedCount} file(s) not read (${first})`);
  }
  if (dirs.length && !s.trusted) throw new Error('charts and overlays are rendered only in a trusted workspace');
  for (const d of dirs) {
    const outcome = await renderWorkspaceDir(d, s);
    if (!outcome.ok) throw new Error(`${outcome.error.path}: ${outcome.error.message}`);
    const set = outcome.set;
    for (const doc of set.docs) docs.push(...manifestDocs(set.text.slice(doc.start, doc.end), set.map({ start: doc.start, end: doc.start })?.path ?? set.label));
  }
  for (const d of docs) {
    const ann = (d.value.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
    if (ann) {
      delete ann['config.kubernetes.io/origin'];
      delete ann['alpha.config.kubernetes.io/transformations'];
    }
  }
  return docs.slice(0, MAX_OBJECTS);
}

export async function verifyIdentityCommand(deps: IdentityCommandDeps, node?: ViewNode): Promise<void> {
  const ref = node ? refFromNode(node) : await resolveRef(deps, undefined, 'Verify Identity');
  if (!ref) return;
  const s = readSettings();
  if (!s.manifests.length) {
    void window.showWarningMessage('Pipeline RBAC: set pipelineRbac.manifests to what the pipeline deploys (globs, chart or overlay folders) to verify an identity against it.');
    return;
  }
  try {
    const loaded = deps.view ? deps.view.provider.kubeconfigFor(ref.context) : actingKubeconfig(ref.context);
    const result = await window.withProgress({ location: ProgressLocation.Notification, title: `Verifying ${ref.namespace}/${ref.name}` }, async (progress) => {
      progress.report({ message: 'reading the manifests...' });
      const docs = await workspaceDocs();
      if (docs.length === 0) throw new Error('pipelineRbac.manifests names no Kubernetes objects');
      const catalog = builtinCatalog();
      const kinds = docs.flatMap((d) => manifestKinds(JSON.stringify(d.value), d.source));
      const needs = deployerNeeds(kinds, s.deployer, (g, k) => catalog.resourceForKind(g, k));
      progress.report({ message: `as the identity: dry-run of ${docs.length} object(s)...` });
      return verifyAsIdentity(loaded.kc, new KubeIdentityCluster(loaded.kc), { namespace: ref.namespace, serviceAccount: ref.name, docs, needs, catalog });
    });
    const text = formatVerify(result, deployAction(s.deployer));
    const ok = verifyExitCode(result) === 0;
    deps.output.info(`Verified ${ref.namespace}/${ref.name} (context ${ref.context}): ${ok ? 'everything allowed' : 'some requests denied'}`);
    await deps.context.workspaceState.update(verifiedKey(ref.context, ref.namespace, ref.name), { at: new Date().toISOString(), ok });
    deps.view?.refresh();
    // A read-only document named after what it reports, not an Untitled buffer that asks to be saved on close.
    await deps.docs.open(`/verify/${ref.context}/${ref.namespace}/${ref.name} verification.txt`, text, 'plaintext', { preview: true });
    if (ok) void window.showInformationMessage(`Pipeline RBAC: ${ref.namespace}/${ref.name} may deploy every manifest (${result.objects.length} object(s)).`);
    else void window.showWarningMessage(`Pipeline RBAC: ${ref.namespace}/${ref.name} cannot deploy everything; see the report.`);
  } catch (err) {
    deps.output.error(`Verify ${ref.namespace}/${ref.name} failed: ${errorText(err)}`);
    void window.showErrorMessage(`Pipeline RBAC: verify ${ref.namespace}/${ref.name} failed: ${errorText(err).split('\n')[0]}`);
  }
}
