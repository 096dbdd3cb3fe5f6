/**
 * Credentials for the CI secret stores, asked only when a flow exports there: GitHub through VS Code's GitHub
 * (or GitHub Enterprise) authentication provider, else a token kept in SecretStorage; GitLab and Vault tokens in
 * SecretStorage, each under a key naming the server it was entered for (credentialKeys.ts). Server URLs come from
 * settings that are restricted in untrusted workspaces (a workspace must not redirect a token to its own server).
 */
import { authentication, workspace, type Memento, type SecretStorage } from 'vscode';
import type { StoreCredentials } from '../../../server/src/core/stores';
import { setting } from '../settings';
import { credentialKey, enterpriseSessionFits, LEGACY_CREDENTIAL_KEYS, type CredentialService } from './credentialKeys';
import type { CredentialNeed } from './exportChoice';
import { input, pick, type StepPosition } from './wizard';

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
  const str = (key: string) => {
    const v = setting(c, key);
    return typeof v === 'string' ? v.trim() : '';
  };
  return { githubApiUrl: str('github.apiUrl'), gitlabUrl: str('gitlab.url'), vaultAddress: str('vault.address'), vaultNamespace: str('vault.namespace') };
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
  if (need) await dropLegacyCredential(secrets, need);
  switch (need) {
    case undefined:
      return { credentials: {} };
    case 'github': {
      const base = s.githubApiUrl ? { githubBaseUrl: s.githubApiUrl } : {};
      const got = await githubToken(secrets, s, at);
      return { credentials: { ...base, githubToken: got.token }, ...(got.storedKey ? { storedKey: got.storedKey } : {}) };
    }
    case 'gitlab': {
      const key = credentialKey('gitlab', s.gitlabUrl);
      const token = await storedOrAsk(secrets, key, at, {
        prompt: `GitLab access token for ${s.gitlabUrl || 'https://gitlab.com'} (scope "api", Maintainer of the project). Kept in VS Code SecretStorage for this server only; set "pipelineRbac.gitlab.url" for a self-managed GitLab.`,
      });
      return { credentials: { gitlabToken: token, ...(s.gitlabUrl ? { gitlabHost: s.gitlabUrl } : {}) }, storedKey: key };
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
      const key = credentialKey('vault', address);
      const token = await storedOrAsk(secrets, key, at, {
        prompt: `Vault token for ${address} with write (and read, for check-and-set) on the KV v2 path. Kept in VS Code SecretStorage for this server only.`,
      });
      return {
        credentials: { vaultToken: token, vaultAddr: address, ...(s.vaultNamespace ? { vaultNamespace: s.vaultNamespace } : {}) },
        storedKey: key,
      };
    }
  }
}

/**
 * Tokens stored before they were tied to a server are deleted unread: nothing says which server they were for, so
 * sending one to the server configured now could hand it to another host. The user is asked again, once per server.
 */
async function dropLegacyCredential(secrets: SecretStorage, service: CredentialService): Promise<void> {
  const legacy = LEGACY_CREDENTIAL_KEYS[service];
  if (await secrets.get(legacy)) await secrets.delete(legacy);
}

async function storedOrAsk(secrets: SecretStorage, key: string, at: StepPosition, o: { prompt: string }): Promise<string> {
  const stored = await secrets.get(key);
  if (stored) return stored;
  const token = (await input({ ...at, prompt: o.prompt, password: true, validate: (v) => (v.trim() ? undefined : 'The token is empty.') })).trim();
  await secrets.store(key, token);
  return token;
}

type GitHubSource = 'session' | 'stored' | 'enter';

/**
 * VS Code's "github" sign-in is for github.com; its "github-enterprise" sign-in is for `github-enterprise.uri`. A
 * session is used only when that is the server `pipelineRbac.github.apiUrl` names, so its token goes nowhere else.
 */
function sessionProvider(apiUrl: string): { provider: 'github' | 'github-enterprise'; fits: boolean; signInFor: string } {
  if (!isGitHubEnterprise(apiUrl)) return { provider: 'github', fits: true, signInFor: 'https://github.com' };
  const uri = workspace.getConfiguration('github-enterprise').get<string>('uri', '').trim();
  return { provider: 'github-enterprise', fits: enterpriseSessionFits(apiUrl, uri), signInFor: uri || '(no "github-enterprise.uri" set)' };
}

async function githubToken(secrets: SecretStorage, s: StoreSettings, at: StepPosition): Promise<{ token: string; storedKey?: string }> {
  const { provider, fits, signInFor } = sessionProvider(s.githubApiUrl);
  const key = credentialKey('github', s.githubApiUrl);
  // An existing session (or a stored token for this server) is used without asking again.
  const silent = fits
    ? await authentication.getSession(provider, ['repo'], { silent: true }).then(
        (x) => x,
        () => undefined,
      )
    : undefined;
  if (silent) return { token: silent.accessToken };
  const stored = await secrets.get(key);
  if (stored) return { token: stored, storedKey: key };
  const enter = {
    label: '$(key) Enter a personal access token',
    description: 'kept in VS Code SecretStorage for this server only',
    detail: 'Classic token with "repo", or fine-grained with "Secrets: read and write" (and "Environments: read" for environment secrets).',
    value: 'enter' as const,
  };
  const session = {
    label: `$(github) Sign in with ${provider === 'github' ? 'GitHub' : 'GitHub Enterprise'}`,
    description: 'VS Code account, scope "repo"',
    value: 'session' as const,
  };
  const source = await pick<GitHubSource>({
    ...at,
    placeholder: fits
      ? 'How should Pipeline RBAC write the GitHub Actions secret?'
      : `VS Code's GitHub Enterprise sign-in is for ${signInFor}, not ${s.githubApiUrl}: a personal access token, then.`,
    items: fits ? [session, enter] : [enter],
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
      prompt: `GitHub personal access token${s.githubApiUrl ? ` for ${s.githubApiUrl}` : ''} (kept in VS Code SecretStorage for this server only)${source === 'session' ? '; signing in with VS Code did not work here' : ''}.`,
      password: true,
      validate: (v) => (v.trim() ? undefined : 'The token is empty.'),
    })
  ).trim();
  await secrets.store(key, token);
  return { token, storedKey: key };
}
