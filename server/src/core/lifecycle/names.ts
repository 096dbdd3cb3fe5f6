// Name and duration rules checked before any request, so typos fail fast and never half-create.

/** DNS-1123 subdomain: ServiceAccounts, Secrets. */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** DNS-1123 label: namespaces. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

export function checkNamespace(ns: string): void {
  if (!ns || ns.length > 63 || !DNS1123_LABEL.test(ns)) {
    throw new InvalidInputError(`"${ns}" is not a valid namespace name (lower-case letters, digits and "-", at most 63 characters).`);
  }
}

/**
 * ServiceAccount names are DNS-1123 subdomains; the token Secret adds "-token-xxxxx" (12 characters), and its name
 * must stay within 253, so the ServiceAccount name is limited a little further.
 */
export function checkServiceAccountName(name: string): void {
  if (!name || name.length > 240 || !DNS1123_SUBDOMAIN.test(name)) {
    throw new InvalidInputError(
      `"${name}" is not a valid ServiceAccount name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit).`,
    );
  }
}

/** Role and RoleBinding names are path segments: anything but "/" and "%", not "." or "..". */
export function checkRbacName(name: string, what = 'Role'): void {
  if (!name || name === '.' || name === '..' || /[/%]/.test(name) || name.length > 253) {
    throw new InvalidInputError(`"${name}" is not a valid ${what} name.`);
  }
}

/** TokenRequest's lower bound on spec.expirationSeconds. */
export const MIN_TOKEN_SECONDS = 600;
export const DEFAULT_TOKEN_SECONDS = 30 * 24 * 3600;
/**
 * The longest lifetime this tool asks for (365 days), whoever names it: `--duration`, the VS Code input or this
 * machine's record. A pipeline token meant to live longer is a token nobody rotates.
 */
export const MAX_TOKEN_SECONDS = 365 * 24 * 3600;

/** Throws InvalidInputError unless `seconds` is a whole number of seconds from 10 minutes to 365 days. */
export function checkTokenSeconds(seconds: number, what = 'the token lifetime'): void {
  if (!Number.isSafeInteger(seconds) || seconds < MIN_TOKEN_SECONDS) {
    throw new InvalidInputError(`${what} (${seconds} s) is shorter than the 10 minutes (600s) a TokenRequest allows.`);
  }
  if (seconds > MAX_TOKEN_SECONDS) {
    throw new InvalidInputError(`${what} (${formatDuration(seconds)}) is longer than the 365 days (8760h) this tool allows.`);
  }
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a Go-style duration with days ("720h", "30d", "1h30m", "600s"); a bare number is seconds.
 * Throws InvalidInputError for anything else, for less than TokenRequest's 10 minutes or more than MAX_TOKEN_SECONDS.
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  let seconds: number;
  if (/^\d+$/.test(t)) seconds = Number(t);
  else {
    if (!/^(\d+[smhd])+$/.test(t)) {
      throw new InvalidInputError(`"${text}" is not a duration (examples: 720h, 30d, 1h30m, 3600s).`);
    }
    seconds = 0;
    for (const m of t.matchAll(/(\d+)([smhd])/g)) seconds += Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number);
  }
  if (!Number.isSafeInteger(seconds)) throw new InvalidInputError(`duration "${text}" is too large.`);
  if (seconds < MIN_TOKEN_SECONDS) {
    throw new InvalidInputError(`duration "${text}" is shorter than the 10 minutes (600s) a TokenRequest allows.`);
  }
  if (seconds > MAX_TOKEN_SECONDS) throw new InvalidInputError(`duration "${text}" is longer than the 365 days (8760h) this tool allows.`);
  return seconds;
}

/** "30d", "36h", "1d2h", "45m" for messages. */
export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', s && !d && !h ? `${s}s` : ''].filter(Boolean);
  return parts.join('') || '0s';
}

/** The username Kubernetes gives a ServiceAccount. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}
