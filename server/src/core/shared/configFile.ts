/**
 * Finding and reading the repository config file and the files it names, for the CLI and the language server alike.
 * The config is written by whoever wrote the repository: the files it names are resolved against its folder and refused
 * when they leave it or pass through a symbolic link, and every read is bounded (readRegularFile: regular files only,
 * size checked before reading, links never followed).
 */
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { CONFIG_FILE_NAME, MAX_CONFIG_BYTES, parseRepoConfig, type ConfigProblem, type RepoConfig } from './repoConfig';
import { readRegularFile } from './workspaceFiles';

/** Folders walked up from a start folder at most (a deep tree or a loop of mounts cannot make it unbounded). */
const MAX_WALK = 64;

export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

export interface LoadedConfig {
  /** Absolute path of the config file. */
  path: string;
  /** Its folder (real path): what the paths in it are relative to. */
  dir: string;
  text: string;
  config?: RepoConfig;
  problems: ConfigProblem[];
}

const isFile = async (p: string): Promise<boolean> => (await lstat(p).catch(() => undefined))?.isFile() === true;
const exists = async (p: string): Promise<boolean> => (await lstat(p).catch(() => undefined)) !== undefined;

/**
 * The config file that governs `start` (a folder): `.pipeline-rbac.yaml` in it or the nearest folder above, stopping
 * after the repository root (a folder with `.git`), `stopAt` (a workspace folder), or the filesystem root.
 */
export async function findConfigFile(start: string, stopAt?: string): Promise<string | undefined> {
  let dir = resolve(start);
  const stop = stopAt === undefined ? undefined : resolve(stopAt);
  for (let i = 0; i < MAX_WALK; i++) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (await isFile(candidate)) return candidate;
    const parent = dirname(dir);
    if (dir === stop || parent === dir || (await exists(join(dir, '.git')))) return undefined;
    if (stop !== undefined && !isInside(stop, parent)) return undefined;
    dir = parent;
  }
  return undefined;
}

function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Reads and parses a config file (bounded, a link is refused). Throws ConfigFileError only when it cannot be read. */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const abs = resolve(path);
  let dir: string;
  try {
    dir = await realpath(dirname(abs));
  } catch (e) {
    throw new ConfigFileError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const file = join(dir, basename(abs));
  const got = await readRegularFile(dir, file, MAX_CONFIG_BYTES);
  if (typeof got !== 'string') throw new ConfigFileError(`${path}: not read: ${got.skip}`);
  const parsed = parseRepoConfig(got);
  return { path: file, dir, text: got, ...(parsed.ok ? { config: parsed.config, problems: [] } : { problems: parsed.problems }) };
}

/**
 * A path the config names (`what` says which key, for messages), resolved against the config's folder: refused when
 * absolute, when it leaves the folder, or when a symbolic link is on the way. Returns the absolute path; `mustExist`
 * makes a missing file an error too.
 */
export async function resolveConfigPath(dir: string, rel: string, what: string, mustExist: boolean): Promise<string> {
  if (isAbsolute(rel) || /^~/.test(rel)) throw new ConfigFileError(`${what} "${rel}": must be relative to the config's folder ${dir}`);
  const abs = resolve(dir, normalize(rel));
  if (!isInside(dir, abs)) throw new ConfigFileError(`${what} "${rel}": leaves the config's folder ${dir}`);
  let real: string;
  try {
    real = await realpath(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !mustExist) return abs;
    throw new ConfigFileError(`${what} "${rel}": ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? 'error'})`} (resolved against ${dir})`);
  }
  // The real path differs from the written one exactly when a link is on the way.
  if (real !== abs) throw new ConfigFileError(`${what} "${rel}": passes through a symbolic link (not followed)`);
  return abs;
}

/** Reads a file the config names (resolved as resolveConfigPath does), at most maxBytes. */
export async function readConfigRelative(dir: string, rel: string, what: string, maxBytes: number): Promise<{ path: string; text: string }> {
  const abs = await resolveConfigPath(dir, rel, what, true);
  const got = await readRegularFile(dir, abs, maxBytes);
  if (typeof got !== 'string') throw new ConfigFileError(`${what} "${rel}": not read: ${got.skip}`);
  return { path: abs, text: got };
}
