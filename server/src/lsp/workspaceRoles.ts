import { fileURLToPath } from 'node:url';
import { indexRoles, resolverOf, type RoleIndex, type RoleResolver } from '../engine/roleIndex';
import { parseRbacText } from '../engine/yaml/parseCache';
import { forEachWorkspaceFile } from './workspaceFiles';

const MIGHT_HOLD_A_ROLE = /^\s*kind:\s*["']?(Cluster)?Role["']?\s*$/m;

/**
 * Roles and ClusterRoles defined in the workspace's YAML files, so a RoleBinding in one file is checked against a
 * Role in another (what the pipeline applies together). Read once, re-read when files change.
 */
export class WorkspaceRoles {
  private folders: string[] = [];
  private index: RoleIndex | undefined;
  /** Files changed since the last read: re-read, but resolve from the last read until then (no flicker). */
  private stale = false;
  private loading: Promise<boolean> | undefined;

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

  /** Reads the workspace's roles once; a Role without metadata.namespace lands in defaultNamespace. */
  load(defaultNamespace: string): Promise<boolean> {
    if (this.index && !this.stale) return Promise.resolve(false);
    this.loading ??= this.read(defaultNamespace).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(defaultNamespace: string): Promise<boolean> {
    this.stale = false;
    const index: RoleIndex = new Map();
    await forEachWorkspaceFile(this.folders, ['**/*.yaml', '**/*.yml'], (text) => {
      if (MIGHT_HOLD_A_ROLE.test(text)) indexRoles(parseRbacText(text).objects, defaultNamespace, index);
    });
    this.index = index;
    return index.size > 0;
  }
}
