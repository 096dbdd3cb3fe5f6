/**
 * What the pipeline deploys, hence the permissions it needs (unused-permission, missing-permission): `--manifests PATH`
 * (files, globs, charts, overlays relative to the working directory) or the config's `manifests` (relative to the
 * config's folder, read inside it). A chart or overlay that fails to render adds its render-error report.
 */
import { relative } from 'node:path';
import type { ApiCatalog } from '../core/engine/catalog/apiCatalog';
import type { Deployer } from '../core/engine/deployer/needs';
import { manifestKinds, neededPermissions, type ManifestKind, type NeededPermissions } from '../core/engine/leastPrivilege/needed';
import { configManifests, type CheckConfig } from './checkConfig';
import { expandOperands, readText } from './files';
import { checkRendered, partitionOperands, render, renderedKinds, type RenderFlags } from './renderInputs';
import type { FileReport } from './report';

export interface DeployContext {
  catalog: ApiCatalog;
  deployer: Deployer;
  deployVerbs: string[];
  flags: RenderFlags;
  cwd: string;
  /** Render failures go here, as reports of their own. */
  failures: FileReport[];
}

export async function neededFromManifests(operands: string[], d: DeployContext): Promise<NeededPermissions> {
  const parts = await partitionOperands(operands, d.cwd);
  const files = parts.plain.length ? await expandOperands(parts.plain, d.cwd) : [];
  const kinds = (await Promise.all(files.map(async (f) => manifestKinds(await readText(f), relative(d.cwd, f))))).flat();
  await addRendered(parts.rendered, kinds, d);
  return needed(kinds, d);
}

export async function neededFromConfigManifests(cfg: CheckConfig, d: DeployContext): Promise<NeededPermissions> {
  const { kinds, rendered } = await configManifests(cfg);
  await addRendered(rendered, kinds, d);
  return needed(kinds, d);
}

async function addRendered(rendered: { dir: string; kind: 'chart' | 'kustomize' }[], kinds: ManifestKind[], d: DeployContext): Promise<void> {
  for (const r of rendered) {
    const outcome = await render(r.dir, r.kind, d.flags, d.cwd);
    if (outcome.ok) kinds.push(...renderedKinds(outcome));
    else d.failures.push(...checkRendered(outcome, { catalog: d.catalog }));
  }
}

function needed(kinds: ManifestKind[], d: DeployContext): NeededPermissions {
  const { catalog } = d;
  return neededPermissions(kinds, (group, kind) => catalog.resourceForKind(group, kind), d.deployVerbs, d.deployer, (g, r) => catalog.findResource(g, r)?.namespaced);
}
