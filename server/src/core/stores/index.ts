// Entry point of the secret-store layer: build a store for an export target, shared by the CLI
// (credentials from the environment) and the extension (credentials from SecretStorage / auth).
import { FileSecretStore } from './file';
import { GitHubSecretStore } from './github';
import { GitLabVariableStore } from './gitlab';
import type { GitLabMode } from './gitlabRules';
import type { SecretStore } from './secretStore';
import type { ExportTarget } from './target';
import { VaultKvStore } from './vault';

export * from './secretStore';
export * from './target';
export { Redactor } from './redact';
export { FileSecretStore } from './file';
export { GitHubSecretStore, GITHUB_SECRET_MAX_BYTES } from './github';
export { GitLabVariableStore } from './gitlab';
export type { GitLabMode } from './gitlabRules';
export { VaultKvStore } from './vault';
export { SecretStorageStore, type SecretStorageBackend } from './secretStorage';

export interface StoreCredentials {
  readonly githubToken?: string;
  readonly gitlabToken?: string;
  readonly vaultToken?: string;
  /** GitHub Enterprise Server API root, e.g. https://ghe.example.com/api/v3. */
  readonly githubBaseUrl?: string;
  /** Self-managed GitLab, e.g. https://gitlab.example.com. */
  readonly gitlabHost?: string;
  readonly vaultAddr?: string;
  readonly vaultNamespace?: string;
}

export interface StoreOptions {
  readonly githubCreateEnvironment?: boolean;
  readonly gitlabMode?: GitLabMode;
  readonly gitlabProtected?: boolean;
  readonly gitlabHidden?: boolean;
  readonly vaultField?: string;
  /** Base directory for relative file targets. */
  readonly cwd?: string;
  /** Allow plain http to non-loopback servers (not recommended). */
  readonly allowInsecureHttp?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Builds the store for a target. Never throws and makes no request: a missing credential or a bad
 * name is reported by the store's validate() (called by put() too) as a StoreError.
 */
export function createStore(target: ExportTarget, credentials: StoreCredentials, options: StoreOptions = {}): SecretStore {
  const common = { allowInsecureHttp: options.allowInsecureHttp, timeoutMs: options.timeoutMs };
  switch (target.kind) {
    case 'github':
      return new GitHubSecretStore(target, {
        ...common,
        token: credentials.githubToken ?? '',
        baseUrl: credentials.githubBaseUrl || undefined,
        createEnvironment: options.githubCreateEnvironment,
      });
    case 'gitlab':
      return new GitLabVariableStore(target, {
        ...common,
        token: credentials.gitlabToken ?? '',
        host: credentials.gitlabHost || undefined,
        mode: options.gitlabMode,
        protected: options.gitlabProtected,
        hidden: options.gitlabHidden,
      });
    case 'vault':
      return new VaultKvStore(target, {
        ...common,
        token: credentials.vaultToken ?? '',
        address: credentials.vaultAddr ?? '',
        namespace: credentials.vaultNamespace || undefined,
        field: options.vaultField,
      });
    case 'file':
      return new FileSecretStore(target, { cwd: options.cwd });
  }
}

/** Credentials as the CLI reads them: GITHUB_TOKEN, GITHUB_API_URL, GITLAB_TOKEN, GITLAB_HOST, VAULT_TOKEN, VAULT_ADDR, VAULT_NAMESPACE. */
export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): StoreCredentials {
  return {
    githubToken: env['GITHUB_TOKEN'] || undefined,
    githubBaseUrl: env['GITHUB_API_URL'] || undefined,
    gitlabToken: env['GITLAB_TOKEN'] || undefined,
    // glab accepts a bare host name in GITLAB_HOST.
    gitlabHost: env['GITLAB_HOST'] ? (/^https?:\/\//.test(env['GITLAB_HOST']) ? env['GITLAB_HOST'] : `https://${env['GITLAB_HOST']}`) : undefined,
    vaultToken: env['VAULT_TOKEN'] || undefined,
    vaultAddr: env['VAULT_ADDR'] || undefined,
    vaultNamespace: env['VAULT_NAMESPACE'] || undefined,
  };
}

// Input checks the export wizard runs before it asks for credentials.
export { checkGitHubRepo, checkGitHubSecretName } from './github';
export { checkGitLabKey, checkGitLabProject, checkGitLabScope } from './gitlabRules';
export { gitWarningFor, gitWorkTreeOf } from './gitWorkTree';
