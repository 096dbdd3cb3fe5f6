import { stat } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigFileError, findConfigFile, loadConfigFile, readConfigRelative, type LoadedConfig } from '../core/shared/configFile';
import { BaselineError, MAX_BASELINE_BYTES, parseBaseline, type Baseline } from '../core/shared/baseline';
import { errorText } from '../core/engine/text/errorText';

/** The repository config of a document, as the language server uses it (trusted workspaces only). */
export interface RepoState {
  config: LoadedConfig;
  /** The baseline the config names, with the folder its paths are relative to. */
  baseline?: { baseline: Baseline; root: string };
  /** Why the config's baseline is not used (missing, outside the folder, a link, damaged, another version). */
  baselineProblem?: string;
}

interface Cached<T> {
  stamp: string;
  value: T;
}

const stampOf = async (path: string): Promise<string> => {
  const s = await stat(path).catch(() => undefined);
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : 'missing';
};

/**
 * Finds and reads `.pipeline-rbac.yaml` for a document: walking up from its folder, never above its workspace folder.
 * Files are re-read when their size or modification time changed (a stat per ask), so a new baseline or an edited
 * config counts at the next validation even though no watcher announces a JSON file.
 */
export class RepoConfigSource {
  private folders: string[] = [];
  private readonly configs = new Map<string, Cached<LoadedConfig | string>>();
  private readonly baselines = new Map<string, Cached<Baseline | string>>();

  constructor(private readonly log: (message: string) => void = () => {}) {}

  setWorkspaceFolders(uris: string[]): void {
    this.folders = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  }

  /** The workspace folder holding a file, if any. */
  folderOf(file: string): string | undefined {
    return this.folders.filter((f) => !relative(f, file).startsWith('..')).sort((a, b) => b.length - a.length)[0];
  }

  /** The config governing this document (undefined: none, not a file in a workspace folder, or unreadable). */
  async forDocument(uri: string): Promise<RepoState | undefined> {
    if (!uri.startsWith('file:')) return undefined;
    const file = fileURLToPath(uri);
    const folder = this.folderOf(file);
    if (!folder) return undefined;
    const path = await findConfigFile(dirname(file), folder);
    if (!path) return undefined;
    const config = await this.config(path);
    if (typeof config === 'string' || !config.config) return typeof config === 'string' ? undefined : { config };
    const rel = config.config.baseline;
    if (!rel) return { config };
    const baseline = await this.baseline(config, rel);
    return typeof baseline === 'string' ? { config, baselineProblem: baseline } : { config, baseline: { baseline, root: dirname(`${config.dir}/${rel}`) } };
  }

  private async config(path: string): Promise<LoadedConfig | string> {
    const stamp = await stampOf(path);
    const hit = this.configs.get(path);
    if (hit?.stamp === stamp) return hit.value;
    let value: LoadedConfig | string;
    try {
      value = await loadConfigFile(path);
    } catch (e) {
      value = errorText(e);
      this.log(`pipeline-rbac: config ${path} not read: ${value}`);
    }
    this.configs.set(path, { stamp, value });
    return value;
  }

  private async baseline(config: LoadedConfig, rel: string): Promise<Baseline | string> {
    const key = `${config.dir}\0${rel}`;
    const stamp = await stampOf(`${config.dir}/${rel}`);
    const hit = this.baselines.get(key);
    if (hit?.stamp === stamp) return hit.value;
    let value: Baseline | string;
    try {
      const got = await readConfigRelative(config.dir, rel, 'baseline', MAX_BASELINE_BYTES);
      value = parseBaseline(got.text, `baseline "${rel}"`);
    } catch (e) {
      value = e instanceof ConfigFileError || e instanceof BaselineError ? e.message : errorText(e);
    }
    this.baselines.set(key, { stamp, value });
    return value;
  }
}
