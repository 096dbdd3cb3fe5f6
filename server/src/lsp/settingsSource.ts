import { relative, sep } from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { withRepoConfig } from '../core/shared/repoConfig';
import { DEFAULT_SETTINGS, normalizeSettings, type PipelineRbacSettings } from '../core/shared/settings';
import type { RepoConfigSource, RepoState } from './repoConfigSource';

/**
 * Reads `pipelineRbac.*` through workspace/configuration (scoped to the document, so folder settings apply), applies
 * the repository config in a trusted workspace (repoConfigSource.ts, withRepoConfig), and caches the result until the
 * client says the configuration or a file changed.
 */
export class SettingsSource {
  private readonly cache = new Map<string, Promise<PipelineRbacSettings>>();
  private supported = false;
  private trusted = true;

  constructor(
    private readonly connection: Connection,
    private readonly repo?: RepoConfigSource,
  ) {}

  /** The repository config of a document; never in an untrusted workspace (its files are not obeyed there). */
  repoState(uri: string): Promise<RepoState | undefined> {
    return this.trusted && this.repo ? this.repo.forDocument(uri) : Promise.resolve(undefined);
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  setCapabilities(supportsConfiguration: boolean, trusted: boolean): void {
    this.supported = supportsConfiguration;
    this.trusted = trusted;
  }

  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
    this.cache.clear();
  }

  clear(): void {
    this.cache.clear();
  }

  /**
   * Re-reads the settings of every document asked for so far; true when any of them differs, or none was asked yet.
   * VS Code announces a configuration change at startup, and again for the dynamic registration, with nothing
   * changed: revalidating (and dropping the live caches) for those tripled the first cluster reads.
   */
  async reload(): Promise<boolean> {
    const before = await Promise.all([...this.cache].map(async ([uri, p]) => [uri, JSON.stringify(await p)] as const));
    this.cache.clear();
    if (before.length === 0) return true;
    for (const [uri, json] of before) if (JSON.stringify(await this.get(uri)) !== json) return true;
    return false;
  }

  get(uri: string): Promise<PipelineRbacSettings> {
    let p = this.cache.get(uri);
    if (!p) {
      p = this.fetch(uri);
      this.cache.set(uri, p);
    }
    return p;
  }

  private async fetch(uri: string): Promise<PipelineRbacSettings> {
    const editor = await this.fromEditor(uri);
    const state = await this.repoState(uri).catch(() => undefined);
    const config = state?.config.config;
    if (!state || !config) return editor;
    const folder = this.repo!.folderOf(state.config.path);
    const prefix = folder ? relative(folder, state.config.dir).split(sep).join('/') : '';
    return withRepoConfig(editor, config, prefix);
  }

  private async fromEditor(uri: string): Promise<PipelineRbacSettings> {
    if (!this.supported) return { ...DEFAULT_SETTINGS, trusted: this.trusted };
    try {
      const raw: unknown = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'pipelineRbac' });
      return { ...normalizeSettings(raw), trusted: this.trusted };
    } catch {
      return { ...DEFAULT_SETTINGS, trusted: this.trusted };
    }
  }
}
