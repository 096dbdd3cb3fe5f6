/**
 * Where the helm and kustomize binaries are: `PATH`, then `~/.cache/pipeline-rbac/bin/` (where
 * scripts/tools/build-tools.mjs builds them from their pinned Go modules), then the settings
 * `pipelineRbac.helm.path` / `pipelineRbac.kustomize.path`, which are only honoured in a trusted workspace: a workspace
 * setting naming a program must never make us run it before the user trusts the folder.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

export type ToolName = 'helm' | 'kustomize';

export interface ToolLookup {
  /** The setting's path (`pipelineRbac.<tool>.path`); ignored unless `trusted`. */
  settingPath?: string | undefined;
  trusted?: boolean;
  /** For tests: the environment to read PATH / XDG_CACHE_HOME / HOME from. */
  env?: NodeJS.ProcessEnv;
}

export class MissingToolError extends Error {
  constructor(readonly tool: ToolName) {
    super(
      `${tool} was not found on PATH, in ${cacheBinDir()} or in the setting pipelineRbac.${tool}.path. ` +
        `Install it (${tool === 'helm' ? 'https://helm.sh/docs/intro/install/' : 'https://kubectl.docs.kubernetes.io/installation/kustomize/'}), ` +
        `or build the pinned version from its Go module with \`node scripts/tools/build-tools.mjs ${tool}\` in a pipeline-rbac checkout.`,
    );
  }
}

export function cacheBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(root, 'pipeline-rbac', 'bin');
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary to run, or undefined. Never runs anything. */
export function findTool(tool: ToolName, opts: ToolLookup = {}): string | undefined {
  const env = opts.env ?? process.env;
  const exe = process.platform === 'win32' ? `${tool}.exe` : tool;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isAbsolute(dir) && isExecutableFile(join(dir, exe))) return join(dir, exe);
  }
  const cached = join(cacheBinDir(env), exe);
  if (isExecutableFile(cached)) return cached;
  const setting = opts.settingPath?.trim();
  if (setting && opts.trusted === true && isAbsolute(setting) && isExecutableFile(setting)) return setting;
  return undefined;
}

export function requireTool(tool: ToolName, opts: ToolLookup = {}): string {
  const found = findTool(tool, opts);
  if (!found) throw new MissingToolError(tool);
  return found;
}
