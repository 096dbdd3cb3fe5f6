// Which issuer signs a CI job's ID token. github.com and gitlab.com have public issuers; a self-managed
// GitHub Enterprise Server or GitLab signs its own (GHES: https://HOST/_services/token, GitLab: the instance's
// external URL). Trusting the public issuer for a self-managed host would let whoever owns the same
// organisation or group name on the public service mint a matching token, so a configured host always wins.
import { InvalidInputError } from './names';
import { OIDC_ISSUERS, type OidcProvider } from './oidc';

export interface IssuerChoice {
  readonly url: string;
  /** Where the URL came from, for the user: "--issuer", "GITLAB_HOST", "pipelineRbac.gitlab.url", "default". */
  readonly source: string;
  /** True when a self-managed host (not github.com / gitlab.com) issues the tokens. */
  readonly selfManaged: boolean;
}

/** The checks the API server applies to issuer.url (apiserver validation.validateURL), as a readable error. */
export function issuerUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (u.protocol !== 'https:') return `the issuer URL must use https (the API server refuses "${u.protocol}//")`;
  if (u.username || u.password) return 'the issuer URL must not contain a user name or password';
  if (u.search) return 'the issuer URL must not contain a query';
  if (u.hash) return 'the issuer URL must not contain a fragment';
  return undefined;
}

function parseHost(configured: string, what: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(configured) ? configured : `https://${configured}`;
  try {
    return new URL(withScheme);
  } catch {
    throw new InvalidInputError(`${what} "${configured}" is not a URL or host name`);
  }
}

/**
 * The issuer for the host the user configured for the provider (GitHub: its API URL, e.g. GITHUB_API_URL or
 * pipelineRbac.github.apiUrl; GitLab: the instance URL, e.g. GITLAB_HOST or pipelineRbac.gitlab.url).
 * `what` names the setting in messages. Empty: the public issuer.
 */
export function issuerForHost(provider: OidcProvider, configured: string | undefined, what: string): IssuerChoice {
  const value = configured?.trim();
  if (!value) return { url: OIDC_ISSUERS[provider], source: 'default', selfManaged: false };
  const u = parseHost(value, what);
  const host = u.hostname.toLowerCase();
  if (provider === 'github') {
    if (host === 'github.com' || host === 'api.github.com') return { url: OIDC_ISSUERS.github, source: what, selfManaged: false };
    if (host.endsWith('.ghe.com')) {
      throw new InvalidInputError(
        `${what} points to GHE.com (${host}), whose Actions issuer this tool does not derive; pass the issuer of your enterprise's ID tokens (their "iss" claim) explicitly`,
      );
    }
    // GitHub Enterprise Server: documented as https://HOSTNAME/_services/token.
    const url = `https://${u.host}/_services/token`;
    return { url, source: what, selfManaged: true };
  }
  if (host === 'gitlab.com') return { url: OIDC_ISSUERS.gitlab, source: what, selfManaged: false };
  if (u.protocol !== 'https:') throw new InvalidInputError(`${what} is ${u.protocol}//: GitLab's ID tokens can only be trusted from an https issuer`);
  // GitLab's issuer is its external URL (a relative URL root included), without an API path or trailing slash.
  const path = u.pathname.replace(/\/api\/v4\/?$/, '').replace(/\/+$/, '');
  return { url: `https://${u.host}${path}`, source: what, selfManaged: true };
}

/** An explicit issuer (flag or prompt), checked as the API server would. */
export function explicitIssuer(url: string, source: string, provider: OidcProvider): IssuerChoice {
  const problem = issuerUrlProblem(url);
  if (problem) throw new InvalidInputError(problem);
  return { url, source, selfManaged: url.replace(/\/+$/, '') !== OIDC_ISSUERS[provider] };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** A CA bundle for issuer.certificateAuthority: PEM certificates only (no keys), bounded in size. */
export function checkIssuerCa(pem: string, where: string): string {
  if (pem.length > 256 * 1024) throw new InvalidInputError(`${where} is larger than 256 KiB; expected a PEM CA bundle`);
  if (!PEM_CERT.test(pem)) throw new InvalidInputError(`${where} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  if (/PRIVATE KEY-----/.test(pem)) throw new InvalidInputError(`${where} contains a private key; pass only the CA certificate`);
  return pem.trim() + '\n';
}
