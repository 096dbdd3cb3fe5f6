import { fileURLToPath } from 'node:url';
import type { ApiCatalog } from '../engine/catalog/apiCatalog';
import { manifestKinds, neededPermissions, type ManifestKind, type NeededPermissions } from '../engine/leastPrivilege/needed';
import type { PipelineRbacSettings } from '../shared/settings';
import { forEachWorkspaceFile } from './workspaceFiles';


/**
 * The kinds in the workspace manifests a pipeline deploys (`pipelineRbac.manifests` globs), read once and re-read
 * when files change. The kinds are kept rather than the permissions, so a new catalog or verb list needs no I/O.
 */
export class ManifestIndex {
  private folders: string[] = [];
  private key = '';
  private kinds: ManifestKind[] | undefined;
  /** Files changed since the last read: re-read, but answer from the last read until then (no flicker). */
  private stale = false;
  private loading: Promise<boolean> | undefined;

  setWorkspaceFolders(uris: string[]): void {
    this.folders = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    this.kinds = undefined;
    this.key = '';
  }

  invalidate(): void {
    this.stale = true;
  }

  /** What the manifests need, if they were read for these settings. */
  needed(settings: PipelineRbacSettings, catalog: ApiCatalog): NeededPermissions | undefined {
    if (!settings.manifests.length || !this.kinds || this.key !== keyOf(settings)) return undefined;
    return neededPermissions(this.kinds, (group, kind) => catalog.resourceForKind(group, kind), settings.deployVerbs);
  }

  /** Reads the manifests when the globs changed or files did; resolves true when something new was read. */
  load(settings: PipelineRbacSettings): Promise<boolean> {
    if (!settings.manifests.length || (this.kinds && !this.stale && this.key === keyOf(settings))) return Promise.resolve(false);
    this.loading ??= this.read(settings).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(settings: PipelineRbacSettings): Promise<boolean> {
    const key = keyOf(settings);
    this.stale = false;
    const kinds: ManifestKind[] = [];
    await forEachWorkspaceFile(this.folders, settings.manifests, (text, path) => kinds.push(...manifestKinds(text, path)));
    this.kinds = kinds;
    this.key = key;
    return true;
  }
}

function keyOf(s: PipelineRbacSettings): string {
  return JSON.stringify(s.manifests);
}
