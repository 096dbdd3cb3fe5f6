/**
 * A private temporary folder per render: the copy of the chart or overlay the tool reads, and the tool's own home,
 * cache, config and data folders. The tool's environment is built here from nothing: no variable of this process
 * (CI secrets, tokens, proxies, HELM_* or KUSTOMIZE_* settings, KUBECONFIG) is passed on, and PATH names an empty
 * folder, so neither tool can start another program (kustomize's git for remote bases, helm's plugins).
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RenderRoom {
  /** The room itself (removed by close). */
  dir: string;
  /** Where the copy of the input goes. */
  src: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

const FOLDERS = ['src', 'home', 'bin', 'tmp', 'cache', 'config', 'data', 'helm/cache', 'helm/config', 'helm/data'] as const;

const open = new Set<string>();
let exitHook = false;

export async function openRoom(): Promise<RenderRoom> {
  if (!exitHook) {
    exitHook = true;
    // The CLI or server ending mid-render (process.exit) still removes the rooms it opened.
    process.on('exit', () => {
      for (const d of open) rmSync(d, { recursive: true, force: true });
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'pipeline-rbac-render-'));
  open.add(dir);
  try {
    for (const f of FOLDERS) await mkdir(join(dir, f), { recursive: true, mode: 0o700 });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    open.delete(dir);
    throw err;
  }
  const close = async () => {
    await rm(dir, { recursive: true, force: true });
    open.delete(dir);
  };
  return { dir, src: join(dir, 'src'), env: toolEnv(dir), close };
}

/** The whole environment of helm and kustomize. */
export function toolEnv(room: string): NodeJS.ProcessEnv {
  const at = (p: string) => join(room, p);
  const env: NodeJS.ProcessEnv = {
    PATH: at('bin'),
    HOME: at('home'),
    TMPDIR: at('tmp'),
    XDG_CACHE_HOME: at('cache'),
    XDG_CONFIG_HOME: at('config'),
    XDG_DATA_HOME: at('data'),
    HELM_CACHE_HOME: at('helm/cache'),
    HELM_CONFIG_HOME: at('helm/config'),
    HELM_DATA_HOME: at('helm/data'),
    HELM_PLUGINS: at('helm/data/plugins'),
    HELM_REGISTRY_CONFIG: at('helm/config/registry/config.json'),
    HELM_REPOSITORY_CONFIG: at('helm/config/repositories.yaml'),
    HELM_REPOSITORY_CACHE: at('helm/cache/repository'),
    HELM_NO_PLUGINS: '1',
    // No cluster is ever asked (helm template without --validate); a missing file, never the user's kubeconfig.
    KUBECONFIG: at('home/no-kubeconfig'),
    // Anything that would still try the network (there is nothing left that should) goes to a closed port.
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '',
    GIT_TERMINAL_PROMPT: '0',
    GOTRACEBACK: 'none',
  };
  if (process.platform === 'win32') {
    // Windows programs need SystemRoot to start at all; the rest points into the room too.
    Object.assign(env, { SystemRoot: process.env.SystemRoot ?? 'C:\\Windows', USERPROFILE: at('home'), APPDATA: at('config'), LOCALAPPDATA: at('cache'), TEMP: at('tmp'), TMP: at('tmp') });
  }
  return env;
}
