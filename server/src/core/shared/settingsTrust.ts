/**
 * Which `pipelineRbac.*` settings an untrusted workspace may not set, and how the client drops a workspace's values
 * for them. package.json lists the same keys under capabilities.untrustedWorkspaces.restrictedConfigurations (a unit
 * test holds the two lists equal); the extension also applies them itself, so it never depends on the editor doing it.
 * In an untrusted workspace a restricted setting has the user's value (settings.json, Remote settings), else its
 * default. Why each one is restricted is in README.md ("Settings").
 */

/** Keys below `pipelineRbac.`, with what a hostile workspace could do with each. */
export const RESTRICTED_SETTINGS = {
  kubeconfig: 'choose a kubeconfig (and so a program it runs, or a server that receives your credentials)',
  context: 'switch to another cluster or user of your kubeconfig',
  'live.enable': 'turn on cluster requests as you where you turned them off',
  'live.dryRunOnSave': "submit the workspace's YAML to your cluster as you on every save",
  'live.cacheTtlSeconds': 'make every keystroke a round of requests to your cluster (0 s cache)',
  rules: 'turn off the findings you are reviewing it for, out of sight of the file',
  manifests: 'make the language server read files it names',
  deployVerbs: 'make generated least-privilege Roles grant more verbs',
  deployer: 'make missing-permission judge the Role against another deploy tool',
  'helm.path': 'name a program the language server runs to render charts',
  'kustomize.path': 'name a program the language server runs to build overlays',
  'github.apiUrl': 'send your GitHub token to its own server',
  'gitlab.url': 'send your GitLab token to its own server',
  'vault.address': 'send your Vault token to its own server',
  'vault.namespace': 'choose where in Vault the kubeconfig is written',
} as const;

export type RestrictedSetting = keyof typeof RESTRICTED_SETTINGS;

export const RESTRICTED_KEYS = Object.keys(RESTRICTED_SETTINGS) as RestrictedSetting[];

export function isRestricted(key: string): key is RestrictedSetting {
  return Object.prototype.hasOwnProperty.call(RESTRICTED_SETTINGS, key);
}

/** The parts of VS Code's `WorkspaceConfiguration.inspect()` result that matter here. */
export interface Inspected {
  defaultValue?: unknown;
  /** User settings (local and Remote): the only value an untrusted workspace keeps. */
  globalValue?: unknown;
}

/** The value a restricted setting has in an untrusted workspace: the user's, else the default. */
export function userOrDefault(i: Inspected | undefined): unknown {
  return i?.globalValue !== undefined ? i.globalValue : i?.defaultValue;
}

/** The subset of VS Code's WorkspaceConfiguration read here (so this stays free of `vscode`). */
export interface ConfigurationReader {
  get(key: string): unknown;
  inspect(key: string): Inspected | undefined;
}

/** One `pipelineRbac.*` value as the extension uses it: a restricted one in an untrusted workspace is the user's or the default. */
export function effectiveSetting(c: ConfigurationReader, key: string, trusted: boolean): unknown {
  return trusted || !isRestricted(key) ? c.get(key) : userOrDefault(c.inspect(key));
}

/** Every `pipelineRbac.*` setting, trust applied, as normalizeSettings takes them. */
export function rawSettings(c: ConfigurationReader, trusted: boolean): Record<string, unknown> {
  const get = (key: string) => effectiveSetting(c, key, trusted);
  return {
    kubeconfig: get('kubeconfig'),
    context: get('context'),
    namespace: get('namespace'),
    live: { enable: get('live.enable'), dryRunOnSave: get('live.dryRunOnSave'), cacheTtlSeconds: get('live.cacheTtlSeconds') },
    rules: get('rules'),
    manifests: get('manifests'),
    deployVerbs: get('deployVerbs'),
    deployer: get('deployer'),
    helm: { path: get('helm.path') },
    kustomize: { path: get('kustomize.path') },
    validateDelay: get('validateDelay'),
    trusted,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A copy of the `pipelineRbac` section (as getConfiguration returns it: nested by dots) where every restricted key
 * holds `inspect(key)`'s user-or-default value instead of whatever the workspace set.
 */
export function withoutWorkspaceValues(section: unknown, inspect: (key: RestrictedSetting) => Inspected | undefined): Record<string, unknown> {
  // A JSON copy: configuration values are JSON, and VS Code hands out read-only proxies that structuredClone refuses.
  const out: Record<string, unknown> = isRecord(section) ? (JSON.parse(JSON.stringify(section)) as Record<string, unknown>) : {};
  for (const key of RESTRICTED_KEYS) {
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      const next = node[p];
      node = node[p] = isRecord(next) ? next : {};
    }
    const value = userOrDefault(inspect(key));
    const last = parts[parts.length - 1]!;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return out;
}
