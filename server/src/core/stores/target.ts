// Export targets as the CLI writes them (`--export ...`). Parsing checks the shape only; the
// naming rules of each store (GitHub secret names, GitLab keys, ...) are checked by the store's
// validate(), which the VS Code flow also reaches without going through this parser.
import { StoreError } from './secretStore';

export interface GitHubTarget {
  readonly kind: 'github';
  readonly owner: string;
  readonly repo: string;
  /** Environment secret when set, repository secret otherwise. */
  readonly environment?: string;
  readonly name: string;
}
export interface GitLabTarget {
  readonly kind: 'gitlab';
  /** Numeric id or full path (`group/subgroup/project`). */
  readonly project: string;
  readonly key: string;
  /** GitLab environment scope; `*` (all environments) when omitted. */
  readonly environmentScope?: string;
}
export interface VaultTarget {
  readonly kind: 'vault';
  /** The KV v2 mount (first path segment of the target). */
  readonly mount: string;
  /** The secret path inside the mount. */
  readonly path: string;
}
export interface FileTarget {
  readonly kind: 'file';
  readonly path: string;
}
export type ExportTarget = GitHubTarget | GitLabTarget | VaultTarget | FileTarget;

export const EXPORT_TARGET_FORMS = {
  github: 'github:OWNER/REPO[@ENVIRONMENT]:SECRET_NAME',
  gitlab: 'gitlab:PROJECT:VARIABLE[@ENVIRONMENT_SCOPE]',
  vault: 'vault:MOUNT/PATH',
  file: 'file:PATH',
} as const;

export const EXPORT_TARGET_USAGE = `--export takes one of: ${Object.values(EXPORT_TARGET_FORMS).join(' | ')}`;

function usage(spec: string, detail: string, kind?: keyof typeof EXPORT_TARGET_FORMS): StoreError {
  const expected = kind ? `expected ${EXPORT_TARGET_FORMS[kind]}` : EXPORT_TARGET_USAGE;
  return new StoreError('invalid', `Invalid export target "${spec}": ${detail}; ${expected}.`);
}

export function parseExportTarget(spec: string): ExportTarget {
  const colon = spec.indexOf(':');
  const scheme = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  switch (scheme) {
    case 'github':
      return parseGitHub(spec, rest);
    case 'gitlab':
      return parseGitLab(spec, rest);
    case 'vault':
      return parseVault(spec, rest);
    case 'file':
      if (!rest) throw usage(spec, 'the file path is empty', 'file');
      return { kind: 'file', path: rest };
    default:
      throw usage(spec, colon < 0 ? 'no store prefix' : `unknown store "${scheme}"`);
  }
}

function parseGitHub(spec: string, rest: string): GitHubTarget {
  // Secret names cannot contain ':', environment names can: split on the last colon.
  const last = rest.lastIndexOf(':');
  if (last < 0) throw usage(spec, 'missing ":SECRET_NAME"', 'github');
  const name = rest.slice(last + 1);
  if (!name) throw usage(spec, 'the secret name after the last ":" is empty', 'github');
  const left = rest.slice(0, last);
  const at = left.indexOf('@');
  const repoPart = at < 0 ? left : left.slice(0, at);
  const parts = repoPart.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw usage(spec, `"${repoPart}" is not OWNER/REPO`, 'github');
  }
  if (at < 0) return { kind: 'github', owner: parts[0], repo: parts[1], name };
  const environment = left.slice(at + 1);
  if (!environment) throw usage(spec, 'the environment after "@" is empty', 'github');
  return { kind: 'github', owner: parts[0], repo: parts[1], environment, name };
}

function parseGitLab(spec: string, rest: string): GitLabTarget {
  // Neither project paths, keys nor environment scopes contain ':'.
  const parts = rest.split(':');
  if (parts.length !== 2) {
    throw usage(spec, parts.length < 2 ? 'missing ":VARIABLE"' : 'too many ":"', 'gitlab');
  }
  const [project, varPart] = parts as [string, string];
  if (!project) throw usage(spec, 'the project is empty', 'gitlab');
  if (project.startsWith('/') || project.endsWith('/') || project.includes('//')) {
    throw usage(spec, `"${project}" is not a project id or path like group/project`, 'gitlab');
  }
  const at = varPart.indexOf('@');
  const key = at < 0 ? varPart : varPart.slice(0, at);
  if (!key) throw usage(spec, 'the variable name is empty', 'gitlab');
  if (at < 0) return { kind: 'gitlab', project, key };
  const environmentScope = varPart.slice(at + 1);
  if (!environmentScope) throw usage(spec, 'the environment scope after "@" is empty', 'gitlab');
  return { kind: 'gitlab', project, key, environmentScope };
}

function parseVault(spec: string, rest: string): VaultTarget {
  const segments = rest.split('/');
  if (segments.length < 2) throw usage(spec, 'missing "/PATH" after the mount', 'vault');
  if (segments.some((s) => s === '')) throw usage(spec, 'empty path segment (leading, trailing or double "/")', 'vault');
  if (segments.some((s) => s === '.' || s === '..')) throw usage(spec, '"." and ".." are not allowed', 'vault');
  const [mount, ...path] = segments as [string, ...string[]];
  return { kind: 'vault', mount, path: path.join('/') };
}

/** The CLI form of a target (round-trips through parseExportTarget). */
export function formatExportTarget(t: ExportTarget): string {
  switch (t.kind) {
    case 'github':
      return `github:${t.owner}/${t.repo}${t.environment ? `@${t.environment}` : ''}:${t.name}`;
    case 'gitlab':
      return `gitlab:${t.project}:${t.key}${t.environmentScope ? `@${t.environmentScope}` : ''}`;
    case 'vault':
      return `vault:${t.mount}/${t.path}`;
    case 'file':
      return `file:${t.path}`;
  }
}
