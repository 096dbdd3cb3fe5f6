/**
 * SecretStorage keys of the store tokens, one per service and server. A token is kept for the server it was entered
 * for: when `github.apiUrl`, `gitlab.url` or the Vault address names another server, that server has no token yet and
 * the user is asked, instead of the stored token going to whatever host the setting now names. No `vscode` import.
 */

export type CredentialService = 'github' | 'gitlab' | 'vault';

/** The keys used before tokens were tied to a server: dropped unread (their server is unknown). */
export const LEGACY_CREDENTIAL_KEYS: Readonly<Record<CredentialService, string>> = {
  github: 'pipelineRbac.credentials.githubToken',
  gitlab: 'pipelineRbac.credentials.gitlabToken',
  vault: 'pipelineRbac.credentials.vaultToken',
};

/** Where a token goes when its setting is empty. */
export const DEFAULT_SERVERS: Readonly<Partial<Record<CredentialService, string>>> = {
  github: 'https://api.github.com',
  gitlab: 'https://gitlab.com',
};

/**
 * scheme://host[:port], lower-case, the scheme's default port left out, a trailing dot of the host dropped: the
 * parts of a URL that decide which server receives a request. Undefined when it is not an http(s) URL.
 */
export function serverOrigin(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  // URL already lower-cases the scheme and host (IDN to punycode) and drops a default port.
  const host = u.hostname.endsWith('.') ? u.hostname.slice(0, -1) : u.hostname;
  return `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`;
}

/** The SecretStorage key of `service`'s token for the server at `url` (empty: the service's default server). */
export function credentialKey(service: CredentialService, url: string): string {
  const raw = url.trim() || DEFAULT_SERVERS[service] || '';
  const origin = serverOrigin(raw);
  if (!origin) throw new Error(`${JSON.stringify(raw)} is not an http(s) URL, so no ${service} token is used for it.`);
  return `${LEGACY_CREDENTIAL_KEYS[service]}@${origin}`;
}

/**
 * Whether VS Code's GitHub Enterprise sign-in (`github-enterprise.uri`) is for the server `apiUrl` names: the same
 * host (GitHub Enterprise Server, https://HOST/api/v3) or its `api.` host (GHE.com, https://api.SUB.ghe.com).
 */
export function enterpriseSessionFits(apiUrl: string, enterpriseUri: string): boolean {
  const api = serverOrigin(apiUrl);
  const sso = serverOrigin(enterpriseUri);
  if (!api || !sso) return false;
  const a = new URL(api);
  const s = new URL(sso);
  return a.protocol === s.protocol && a.port === s.port && (a.hostname === s.hostname || a.hostname === `api.${s.hostname}`);
}
