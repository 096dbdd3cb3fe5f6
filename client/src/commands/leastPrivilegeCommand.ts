import { Uri, window, workspace } from 'vscode';
import { builtinCatalog, leastPrivilegeRoleYaml, type ManifestKind, manifestKinds, neededPermissions } from '../../../server/src/core/engine';
import { readSettings } from '../settings';

/** "Generate Least-Privilege Role": a Role for exactly the kinds the workspace manifests deploy, in a new editor. */
export async function generateLeastPrivilegeRole(): Promise<void> {
  const s = readSettings();
  const globs = s.manifests.length ? s.manifests : await askGlob();
  if (!globs) return;
  const files: Uri[] = [];
  for (const g of globs) files.push(...(await workspace.findFiles(g, '**/node_modules/**', 2000)));
  if (files.length === 0) {
    void window.showWarningMessage(`Pipeline RBAC: no files match ${globs.join(', ')}.`);
    return;
  }
  const kinds: ManifestKind[] = [];
  for (const f of files) {
    const text = new TextDecoder().decode(await workspace.fs.readFile(f));
    kinds.push(...manifestKinds(text, workspace.asRelativePath(f)));
  }
  const catalog = builtinCatalog();
  const needed = neededPermissions(kinds, (g, k) => catalog.resourceForKind(g, k), s.deployVerbs, s.deployer);
  const name = await window.showInputBox({ title: 'Name of the Role', value: 'pipeline-deployer' });
  if (!name) return;
  const namespace = needed.namespaces[0] ?? (s.namespace || 'default');
  const doc = await workspace.openTextDocument({ language: 'yaml', content: leastPrivilegeRoleYaml(needed, name, namespace) });
  await window.showTextDocument(doc);
}

async function askGlob(): Promise<string[] | undefined> {
  const g = await window.showInputBox({
    title: 'Which manifests does the pipeline deploy?',
    value: 'deploy/**/*.yaml',
    prompt: 'A glob relative to the workspace; set "pipelineRbac.manifests" to skip this question.',
  });
  return g ? [g] : undefined;
}
