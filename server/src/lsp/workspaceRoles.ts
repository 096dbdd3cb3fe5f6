import { fileURLToPath } from 'node:url';
import { resolverOf, type RoleIndex, type RoleResolver } from '../core/engine/roleIndex';
import { describeReport } from './indexJob';
import { runInWorker } from './indexInWorker';
import { errorText } from '../core/engine/text/errorText';

/**
 * Roles and ClusterRoles defined in the workspace's YAML files, so a RoleBinding in one file is checked against a
 * Role in another (what the pipeline applies together). Read once on a worker thread, re-read when files change.
 */
export class WorkspaceRoles {
  private folders: string[] = [];
  private index: RoleIndex | undefined;
  /** Files changed since the last read: re-read, but resolve from the last read until then (no flicker). */
  private stale = false;
  private loading: Promise<boolean> | undefined;

  constructor(private readonly log: (message: string) => void = () => {}) {}

  setWorkspaceFolders(uris: string[]): void {
    this.folders = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    this.index = undefined;
  }

  invalidate(): void {
    this.stale = true;
  }

  /** What is known now (nothing until the first load). */
  resolver(): RoleResolver | undefined {
    return this.index ? resolverOf(this.index) : undefined;
  }

  /** The roles themselves (what an aggregated ClusterRole selects), nothing until the first load. */
  roles(): RoleIndex | undefined {
    return this.index;
  }

  /** Reads the workspace's roles once; a Role without metadata.namespace lands in defaultNamespace. */
  load(defaultNamespace: string): Promise<boolean> {
    if (this.index && !this.stale) return Promise.resolve(false);
    this.loading ??= this.read(defaultNamespace).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(defaultNamespace: string): Promise<boolean> {
    this.stale = false;
    if (!this.folders.length) {
      this.index = new Map();
      return false;
    }
    try {
      const r = await runInWorker({ kind: 'roles', folders: this.folders, defaultNamespace });
      if (r.kind !== 'roles') return false;
      const note = describeReport('workspace roles', r.report);
      if (note) this.log(note);
      this.index = r.index;
    } catch (e) {
      // Not retried on every validation: the next file change re-reads.
      this.log(`pipeline-rbac: workspace roles not read: ${errorText(e)}`);
      this.index = new Map();
    }
    return this.index.size > 0;
  }
}
