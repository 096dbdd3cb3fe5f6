import { fileURLToPath } from 'node:url';
import type { ApiCatalog } from '../core/engine/catalog/apiCatalog';
import { neededPermissions, type ManifestKind, type NeededPermissions } from '../core/engine/leastPrivilege/needed';
import type { PipelineRbacSettings } from '../core/shared/settings';
import { describeReport } from './indexJob';
import { runInWorker } from './indexInWorker';
import { renderedManifestKinds, splitManifestSettings } from '../core/render/workspace';
import { errorText } from '../core/engine/text/errorText';

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
  /** Why charts or overlays of the setting could not be rendered (then nothing is known to be needed). */
  private problems: string[] = [];
  private loading: Promise<boolean> | undefined;

  constructor(private readonly log: (message: string) => void = () => {}) {}

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
    if (!settings.manifests.length || !this.kinds || this.problems.length || this.key !== keyOf(settings)) return undefined;
    return neededPermissions(this.kinds, (group, kind) => catalog.resourceForKind(group, kind), settings.deployVerbs, settings.deployer, (g, r) => catalog.findResource(g, r)?.namespaced);
  }

  /** Why least privilege is not checked although manifests are configured (a chart or overlay did not render). */
  renderProblems(settings: PipelineRbacSettings): string[] {
    return this.kinds && this.key === keyOf(settings) ? this.problems : [];
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
    const { globs, dirs } = splitManifestSettings(this.folders, settings.manifests);
    const kinds = this.folders.length && globs.length ? await this.readKinds(globs) : [];
    // Charts and overlays render only in a trusted workspace; there helm/kustomize never run. What the pipeline deploys
    // is unknown while one of them cannot be rendered: no least-privilege findings then (they would be false).
    const problems: string[] = [];
    for (const d of dirs) {
      const rendered = settings.trusted ? await renderedManifestKinds(d, settings) : { problem: `${d.dir}: charts and overlays are rendered only in a trusted workspace` };
      if (Array.isArray(rendered)) kinds.push(...rendered);
      else problems.push(rendered.problem);
    }
    this.problems = problems;
    this.kinds = kinds;
    this.key = key;
    return true;
  }

  /** On a worker thread: the globs and the files are the workspace's, possibly hostile. */
  private async readKinds(globs: string[]): Promise<ManifestKind[]> {
    try {
      const r = await runInWorker({ kind: 'manifests', folders: this.folders, globs });
      if (r.kind !== 'manifests') return [];
      const note = describeReport('manifests', r.report);
      if (note) this.log(note);
      return r.kinds;
    } catch (e) {
      this.log(`pipeline-rbac: manifests not read: ${errorText(e)}`);
      return [];
    }
  }
}

function keyOf(s: PipelineRbacSettings): string {
  return JSON.stringify([s.manifests, s.trusted, s.helm.path, s.kustomize.path, s.namespace]);
}
