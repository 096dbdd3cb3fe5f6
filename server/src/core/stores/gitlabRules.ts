// GitLab CI/CD variable rules, checked before any request: key syntax, environment scope syntax,
// and the masking rules that decide whether a value can be masked at all.
import { StoreError } from './secretStore';

/**
 * How the kubeconfig is stored:
 * - 'file' (default): a protected file variable; the job gets a path in $KEY (usable as KUBECONFIG).
 *   Not masked: GitLab cannot mask a multi-line value.
 * - 'masked-base64': a masked (and, on creation, hidden) env_var holding the base64 of the value;
 *   the job decodes it. GitLab masks the base64 text in logs but not the decoded copy.
 * - 'masked': a masked env_var holding the value as is; only for single-line values such as a bare
 *   token. A kubeconfig is always refused.
 */
export type GitLabMode = 'file' | 'masked-base64' | 'masked';

/** Masked and raw: `\A\S{8,}\z`. */
export const GITLAB_MASKABLE_RAW = /^\S{8,}$/;

export function checkGitLabKey(key: string, mode: GitLabMode): void {
  if (!/^[A-Za-z0-9_]{1,255}$/.test(key)) {
    throw new StoreError('invalid', `GitLab variable key "${key}" must be 1 to 255 letters, digits or "_".`);
  }
  if (mode !== 'file' && key === 'KUBECONFIG') {
    throw new StoreError(
      'invalid',
      'A GitLab env_var named KUBECONFIG would hold the kubeconfig content, but kubectl reads KUBECONFIG as a file path. Use another key (e.g. KUBECONFIG_B64) or the default file mode, where $KUBECONFIG becomes the path of a file holding the content.',
    );
  }
}

export function checkGitLabScope(scope: string): void {
  if (scope.length > 255 || !/^[A-Za-z0-9 _\-/${}.*]+$/.test(scope)) {
    throw new StoreError('invalid', `GitLab environment scope "${scope}" may only contain letters, digits, spaces, "*" and - _ / $ { } .`);
  }
}

export function checkGitLabProject(project: string): void {
  if (!/^\d+$/.test(project) && !/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/.test(project)) {
    throw new StoreError('invalid', `"${project}" is not a GitLab project id or full path (group/project).`);
  }
}

/** The value actually sent for a mode (base64 for 'masked-base64'). */
export function gitlabStoredValue(value: string, mode: GitLabMode): string {
  return mode === 'masked-base64' ? Buffer.from(value, 'utf8').toString('base64') : value;
}

/**
 * Throws when GitLab would refuse to mask the stored value. Variables are always sent with
 * `raw: true` (no `$` expansion), so the raw rule applies.
 */
export function checkMaskable(stored: string, mode: GitLabMode): void {
  if (mode === 'file' || GITLAB_MASKABLE_RAW.test(stored)) return;
  const why = stored.length < 8 ? 'it is shorter than 8 characters' : 'it contains spaces or line breaks';
  const alt =
    mode === 'masked'
      ? ' A kubeconfig is multi-line YAML with spaces, so it can never be masked as is: use the masked base64 mode (the job decodes it; the decoded copy is not masked) or the default protected file variable.'
      : '';
  throw new StoreError('invalid', `GitLab can only mask a single-line value of at least 8 characters without spaces (\\S{8,}); ${why}.${alt}`);
}
