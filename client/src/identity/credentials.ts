/**
 * Credentials for the CI secret stores, asked only when a flow exports there: GitHub through VS Code's GitHub
 * (or GitHub Enterprise) authentication provider, else a token kept in SecretStorage; GitLab and Vault tokens in
 * SecretStorage. Server URLs come from settings that are restricted in untrusted workspaces (a workspace must not
 * redirect a token to its own server).
 */
import { authentication, workspace, type Memento, type SecretStorage } from 'vscode';
import type { StoreCredentials } from '../../../server/src/stores';
import type { CredentialNeed } from './exportChoice';
import { input, pick, type StepPosition } from './wizard';

/** SecretStorage keys of the extension's own credentials (never the kubeconfigs). */
export const CREDENTIAL_KEYS = {
  github: 'pipelineRbac.credentials.githubToken',
  gitlab: 'pipelineRbac.credentials.gitlabToken',
  vault: 'pipelineRbac.credentials.vaultToken',
} as const;

export interface StoreSettings {
  /** GitHub Enterprise Server API root; empty: github.com. */
  githubApiUrl: string;
  /** Self-managed GitLab; empty: https://gitlab.com. */
  gitlabUrl: string;
  vaultAddress: string;
  vaultNamespace: string;
}

export function storeSettings(): StoreSettings {
  const c = workspace.getConfiguration('pipelineRbac');
  return {
    githubApiUrl: c.get<string>('github.apiUrl', '').trim(),
    gitlabUrl: c.get<string>('gitlab.url', '').trim(),
    vaultAddress: c.get<string>('vault.address', '').trim(),
    vaultNamespace: c.get<string>('vault.namespace', '').trim(),
  };
}

/** True when the API URL is GitHub Enterprise Server (VS Code's "github-enterprise" provider signs in there). */
export function isGitHubEnterprise(apiUrl: string): boolean {
  if (!apiUrl) return false;
  try {
    return new URL(apiUrl).hostname !== 'api.github.com';
  } catch {
    return false;
  }
}

export interface Credentials {
  credentials: StoreCredentials;
  /** Where the token came from; a 401 offers to forget a stored one. */
  storedKey?: string;
}

/** Where the last Vault address typed is remembered (not a secret; the setting wins). */
const LAST_VAULT_ADDRESS = 'pipelineRbac.lastVaultAddress';

/** Extension state the credentials remember: SecretStorage for tokens, a Memento for the last Vault address. */
export interface CredentialState {
  secrets: SecretStorage;
  globalState: Memento;
}

/** Asks for what `need` requires; throws FlowCancelled/FlowBack from the inputs. */
export async function credentialsFor(need: CredentialNeed, state: CredentialState, at: StepPosition): Promise<Credentials> {
  const secrets = state.secrets;
  const s = storeSettings();
  switch (need) {
    case undefined:
      return { credentials: {} };
    case 'github': {
      const base = s.githubApiUrl ? { githubBaseUrl: s.githubApiUrl } : {};
      const got = await githubToken(secrets, s, at);
      return { credentials: { ...base, githubToken: got.token }, ...(got.storedKey ? { storedKey: got.storedKey } : {}) };
    }
    case 'gitlab': {
      const token = await storedOrAsk(secrets, CREDENTIAL_KEYS.gitlab, at, {
        prompt: `GitLab access token for ${s.gitlabUrl || 'https://gitlab.com'} (scope "api", Maintainer of the project). Kept in VS Code SecretStorage; set "pipelineRbac.gitlab.url" for a self-managed GitLab.`,
      });
      return { credentials: { gitlabToken: token, ...(s.gitlabUrl ? { gitlabHost: s.gitlabUrl } : {}) }, storedKey: CREDENTIAL_KEYS.gitlab };
    }
    case 'vault': {
      const address =
        s.vaultAddress ||
        (await input({
          ...at,
          prompt: 'Vault (or OpenBao) address; set "pipelineRbac.vault.address" to skip this question.',
          placeholder: 'https://vault.example.com:8200',
          value: state.globalState.get<string>(LAST_VAULT_ADDRESS) ?? process.env.VAULT_ADDR ?? '',
          validate: (v) => (/^https?:\/\/[^\s/]+/.test(v.trim()) ? undefined : 'Enter the address, e.g. https://vault.example.com:8200'),
        })).trim();
      if (!s.vaultAddress) await state.globalState.update(LAST_VAULT_ADDRESS, address);
      const token = await storedOrAsk(secrets, CREDENTIAL_KEYS.vault, at, {
        prompt: `Vault token for ${address} with write (and read, for check-and-set) on the KV v2 path. Kept in VS Code SecretStorage.`,
      });
      return {
        credentials: { vaultToken: token, vaultAddr: address, ...(s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {}) },
        storedKey: CREDENTIAL_KEYS.vault,
      };
    }
  }
}

async function storedOrAsk(secrets: SecretStorage, key: string, at: StepPosition, o: { prompt: string }): Promise<string> {
  const stored = await secrets.get(key);
  if (stored) return stored;
  const token = (await input({ ...at, prompt: o.prompt, password: true, validate: (v) => (v.trim() ? undefined : 'The token is empty.') })).trim();
  await secrets.store(key, token);
  return token;
}

type GitHubSource = 'session' | 'stored' | 'enter';

async function githubToken(secrets: SecretStorage, s: StoreSettings, at: StepPosition): Promise<{ token: string; storedKey?: string }> {
  const provider = isGitHubEnterprise(s.githubApiUrl) ? 'github-enterprise' : 'github';
  // An existing session (or a stored token) is used without asking again.
  const silent = await authentication.getSession(provider, ['repo'], { silent: true }).then(
    (x) => x,
    () => undefined,
  );
  if (silent) return { token: silent.accessToken };
  const stored = await secrets.get(CREDENTIAL_KEYS.github);
  if (stored) return { token: stored, storedKey: CREDENTIAL_KEYS.github };
  const source = await pick<GitHubSource>({
    ...at,
    placeholder: 'How should Pipeline RBAC write the GitHub Actions secret?',
    items: [
      {
        label: `$(github) Sign in with ${provider === 'github' ? 'GitHub' : 'GitHub Enterprise'}`,
        description: 'VS Code account, scope "repo"',
        value: 'session',
      },
      {
        label: '$(key) Enter a personal access token',
        description: 'kept in VS Code SecretStorage',
        detail: 'Classic token with "repo", or fine-grained with "Secrets: read and write" (and "Environments: read" for environment secrets).',
        value: 'enter',
      },
    ],
  });
  if (source === 'session') {
    try {
      const session = await authentication.getSession(provider, ['repo'], { createIfNone: true });
      return { token: session.accessToken };
    } catch {
      // No provider here (e.g. a browser-only setup) or sign-in refused: fall back to a token.
    }
  }
  const token = (
    await input({
      ...at,
      prompt: `GitHub personal access token${s.githubApiUrl ? ` for ${s.githubApiUrl}` : ''} (kept in VS Code SecretStorage)${source === 'session' ? '; signing in with VS Code did not work here' : ''}.`,
      password: true,
      validate: (v) => (v.trim() ? undefined : 'The token is empty.'),
    })
  ).trim();
  await secrets.store(CREDENTIAL_KEYS.github, token);
  return { token, storedKey: CREDENTIAL_KEYS.github };
}
