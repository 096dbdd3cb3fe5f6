/**
 * The repository config file as `check` uses it: `--config FILE`, else `.pipeline-rbac.yaml` found by walking up from
 * the files checked. A flag overrides the config's key of the same name; `--disable` turns rules off on top of the
 * config's `rules`. A config with a problem stops the check (exit 2, FILE:LINE:COLUMN: what is wrong). The paths it
 * names are resolved against its folder and never leave it (core/shared/configFile.ts).
 */
import { dirname, resolve } from 'node:path';
import {
  ConfigFileError,
  findConfigFile,
  loadConfigFile,
  readConfigRelative,
  resolveConfigPath,
  type LoadedConfig,
} from '../core/shared/configFile';
import { forEachWorkspaceFile, insideGlobs } from '../core/shared/workspaceFiles';
import { MAX_BASELINE_BYTES } from '../core/shared/baseline';
import { describeProblems, type RepoConfig } from '../core/shared/repoConfig';
import { splitManifestSettings } from '../core/render/workspace';
import { manifestKinds, type ManifestKind } from '../core/engine/leastPrivilege/needed';
import { UsageError } from './errors';
import { MAX_INPUT_BYTES, STDIN_OPERAND } from './files';

/** The config in force for a check, or none. */
export interface CheckConfig {
  loaded: LoadedConfig;
  config: RepoConfig;
}

/** The folder each operand starts the search from: a path's own folder (or itself), the working directory for globs and "-". */
async function startFolders(operands: string[], cwd: string): Promise<string[]> {
  const { stat } = await import('node:fs/promises');
  const out = new Set<string>();
  for (const op of operands) {
    if (op === STDIN_OPERAND || /[*?{[]/.test(op)) {
      out.add(cwd);
      continue;
    }
    const abs = resolve(cwd, op);
    const info = await stat(abs).catch(() => undefined);
    out.add(info?.isDirectory() ? abs : dirname(abs));
  }
  return [...out];
}

/** `--config FILE`, else the config that governs every operand; two different ones are an error (which would win?). */
export async function checkConfig(configFlag: string | undefined, operands: string[], cwd: string): Promise<CheckConfig | undefined> {
  let path = configFlag === undefined ? undefined : resolve(cwd, configFlag);
  if (path === undefined) {
    const found = new Set<string>();
    for (const dir of await startFolders(operands, cwd)) {
      const f = await findConfigFile(dir);
      if (f) found.add(f);
    }
    if (found.size > 1) throw new UsageError(`the files checked are governed by different config files (${[...found].join(', ')}): check them separately, or choose one with --config`);
    path = [...found][0];
    if (path === undefined) return undefined;
  }
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfigFile(path);
  } catch (e) {
    throw new UsageError(e instanceof ConfigFileError ? `config: ${e.message}` : String(e));
  }
  if (!loaded.config) throw new UsageError(`config file has problems; nothing was checked:\n${describeProblems(path, loaded.problems)}`);
  return { loaded, config: loaded.config };
}

/** A config-relative path as an absolute one, or the config's error as a usage error (exit 2) naming the file. */
export async function configPath(c: CheckConfig, rel: string, key: string, mustExist: boolean): Promise<string> {
  try {
    return await resolveConfigPath(c.loaded.dir, rel, `${c.loaded.path}: ${key}`, mustExist);
  } catch (e) {
    throw new UsageError(e instanceof ConfigFileError ? e.message : String(e));
  }
}

/** The config's heldRules file, read inside its folder (bounded, no links). */
export async function configHeldRules(c: CheckConfig, rel: string): Promise<{ path: string; text: string }> {
  try {
    return await readConfigRelative(c.loaded.dir, rel, `${c.loaded.path}: heldRules`, MAX_INPUT_BYTES);
  } catch (e) {
    throw new UsageError(e instanceof ConfigFileError ? e.message : String(e));
  }
}

/** The config's baseline, read inside its folder (bounded, no links); one that does not exist is an error. */
export async function configBaselineText(c: CheckConfig, rel: string): Promise<{ path: string; text: string }> {
  try {
    return await readConfigRelative(c.loaded.dir, rel, `${c.loaded.path}: baseline`, MAX_BASELINE_BYTES);
  } catch (e) {
    throw new UsageError(e instanceof ConfigFileError ? `${e.message}; write one with --write-baseline FILE` : String(e));
  }
}

/**
 * The config's `manifests`: chart and overlay folders to render, and the kinds in the files its globs match, read with
 * the workspace reader (inside the config's folder, no links, bounded). A glob that reaches outside, a file that was
 * not read, or entries that match nothing stop the check: a gate must not judge against half of what is deployed.
 */
export async function configManifests(c: CheckConfig): Promise<{ kinds: ManifestKind[]; rendered: { dir: string; kind: 'chart' | 'kustomize' }[] }> {
  const dir = c.loaded.dir;
  const where = `${c.loaded.path}: manifests`;
  const { globs, dirs } = splitManifestSettings([dir], c.config.manifests ?? []);
  for (const d of dirs) await configPath(c, d.dir.slice(dir.length + 1), 'manifests', true);
  const { refused } = insideGlobs(globs);
  if (refused.length) throw new UsageError(`${where}: ${refused.map((g) => JSON.stringify(g)).join(', ')} would match outside the config's folder ${dir}`);
  const kinds: ManifestKind[] = [];
  if (globs.length) {
    const report = await forEachWorkspaceFile([dir], globs, (text, rel) => void kinds.push(...manifestKinds(text, rel)));
    if (report.skippedCount) throw new UsageError(`${where}: ${report.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')}`);
    if (report.stoppedBecause) throw new UsageError(`${where}: stopped because ${report.stoppedBecause}`);
    if (report.read === 0 && !dirs.length) throw new UsageError(`${where}: ${globs.join(', ')} matched no file in ${dir}`);
  }
  return { kinds, rendered: dirs.map((d) => ({ dir: d.dir, kind: d.kind })) };
}

/** The config's `values` files for helm, each checked to stay inside its folder. */
export async function configValues(c: CheckConfig): Promise<string[]> {
  return Promise.all((c.config.values ?? []).map((v) => configPath(c, v, 'values', true)));
}
