/**
 * Where the kubeconfig of a pipeline identity goes, as the VS Code flow asks it: the user's answers as one value,
 * and everything derived from it (the store target, the CLI form recorded on the ServiceAccount, the pipeline the
 * identity is for, the snippet input). Pure: no `vscode`, no I/O, so the rules are unit-tested.
 */
import type { PipelineInfo, SnippetInput } from '../../../server/src/core/lifecycle';
import {
  checkGitHubRepo,
  checkGitHubSecretName,
  checkGitLabKey,
  checkGitLabProject,
  checkGitLabScope,
  type ExportTarget,
  formatExportTarget,
  type GitLabMode,
  parseExportTarget,
} from '../../../server/src/core/stores';
import { problemOf } from './inputCheck';

export type ExportChoice =
  | { readonly kind: 'github'; readonly owner: string; readonly repo: string; readonly environment?: string; readonly secretName: string }
  | {
      readonly kind: 'gitlab';
      readonly project: string;
      readonly key: string;
      readonly environmentScope?: string;
      readonly mode: GitLabMode;
    }
  | { readonly kind: 'vault'; readonly mount: string; readonly path: string }
  | { readonly kind: 'vscode'; readonly key: string }
  | { readonly kind: 'file'; readonly path: string };

export type ExportKind = ExportChoice['kind'];

/** Which credential a choice needs before anything is created (the file and SecretStorage need none). */
export type CredentialNeed = 'github' | 'gitlab' | 'vault' | undefined;

export function credentialNeed(choice: ExportChoice): CredentialNeed {
  return choice.kind === 'github' || choice.kind === 'gitlab' || choice.kind === 'vault' ? choice.kind : undefined;
}

/** The store target for choices the shared store layer builds; SecretStorage is built by the extension itself. */
export function exportTarget(choice: ExportChoice): ExportTarget | undefined {
  switch (choice.kind) {
    case 'github':
      return { kind: 'github', owner: choice.owner, repo: choice.repo, name: choice.secretName, ...(choice.environment ? { environment: choice.environment } : {}) };
    case 'gitlab':
      return { kind: 'gitlab', project: choice.project, key: choice.key, ...(choice.environmentScope ? { environmentScope: choice.environmentScope } : {}) };
    case 'vault':
      return { kind: 'vault', mount: choice.mount, path: choice.path };
    case 'file':
      return { kind: 'file', path: choice.path };
    case 'vscode':
      return undefined;
  }
}

/**
 * The CLI form: recorded on this machine and written to `pipeline-rbac.io/export-target` as a hint for people.
 * Undefined for SecretStorage: it lives on this machine only, and the CLI cannot reach it.
 */
export function exportSpec(choice: ExportChoice): string | undefined {
  const t = exportTarget(choice);
  return t ? formatExportTarget(t) : undefined;
}

/** The repository/environment the identity serves, recorded in the `pipeline-rbac.io/pipeline` annotation. */
export function pipelineFor(choice: ExportChoice): PipelineInfo | undefined {
  if (choice.kind === 'github') return { repo: `${choice.owner}/${choice.repo}`, ...(choice.environment ? { environment: choice.environment } : {}) };
  if (choice.kind === 'gitlab') {
    const scope = choice.environmentScope && choice.environmentScope !== '*' ? choice.environmentScope : undefined;
    return { repo: choice.project, ...(scope ? { environment: scope } : {}) };
  }
  return undefined;
}

/** Input of pipelineSnippets; undefined for SecretStorage (a local kubeconfig, no pipeline). */
export function snippetInput(choice: ExportChoice, namespace: string): SnippetInput | undefined {
  const target = exportTarget(choice);
  if (!target) return undefined;
  const env = pipelineFor(choice)?.environment;
  return {
    target,
    namespace,
    ...(env ? { environment: env } : {}),
    ...(choice.kind === 'gitlab' && choice.mode === 'masked-base64' ? { gitlabVariableType: 'base64' as const } : {}),
  };
}

/** The SecretStorage key proposed for an identity (unique per context, namespace and name). */
export function secretStorageKey(context: string, namespace: string, name: string): string {
  return `pipelineRbac.kubeconfig/${context}/${namespace}/${name}`;
}

/** What this machine records for a choice (ExportRecord.target): the CLI form, or `vscode:KEY` for SecretStorage. */
export function recordTarget(choice: ExportChoice): string {
  return choice.kind === 'vscode' ? `vscode:${choice.key}` : (exportSpec(choice) as string);
}

/**
 * The choice this machine recorded when it exported (never the ServiceAccount's annotations: cluster text could
 * name any file, repository or SecretStorage key). Undefined when the record is unusable.
 */
export function choiceFromRecord(record: { target: string; gitlabMode?: string } | undefined): ExportChoice | undefined {
  if (!record) return undefined;
  if (record.target.startsWith('vscode:')) {
    const key = record.target.slice('vscode:'.length);
    return key ? { kind: 'vscode', key } : undefined;
  }
  let t: ExportTarget;
  try {
    t = parseExportTarget(record.target);
  } catch {
    return undefined;
  }
  const mode: GitLabMode = record.gitlabMode === 'masked-base64' || record.gitlabMode === 'masked' ? record.gitlabMode : 'file';
  switch (t.kind) {
    case 'github':
      return { kind: 'github', owner: t.owner, repo: t.repo, secretName: t.name, ...(t.environment ? { environment: t.environment } : {}) };
    case 'gitlab':
      return { kind: 'gitlab', project: t.project, key: t.key, mode, ...(t.environmentScope ? { environmentScope: t.environmentScope } : {}) };
    case 'vault':
      return { kind: 'vault', mount: t.mount, path: t.path };
    case 'file':
      return { kind: 'file', path: t.path };
  }
}

/** One line for pickers and confirmations ("GitHub secret KUBECONFIG of acme/app (environment prod)"). */
export function describeChoice(choice: ExportChoice): string {
  switch (choice.kind) {
    case 'github':
      return `GitHub Actions secret ${choice.secretName.toUpperCase()} of ${choice.owner}/${choice.repo}${choice.environment ? ` (environment ${choice.environment})` : ''}`;
    case 'gitlab':
      return `GitLab CI/CD variable ${choice.key} of ${choice.project}${choice.environmentScope ? ` (scope ${choice.environmentScope})` : ''}, ${GITLAB_MODES[choice.mode].label.toLowerCase()}`;
    case 'vault':
      return `Vault KV v2 ${choice.mount}/${choice.path} (field kubeconfig)`;
    case 'vscode':
      return `VS Code SecretStorage entry "${choice.key}"`;
    case 'file':
      return `file ${choice.path} (mode 0600)`;
  }
}

/** How each GitLab mode is explained in the picker (the masking rules decide; see stores/gitlabRules.ts). */
export const GITLAB_MODES: Record<GitLabMode, { label: string; detail: string }> = {
  file: {
    label: 'Protected file variable',
    detail: 'Recommended. The job gets a path in $KEY (use it as KUBECONFIG). Not masked: GitLab never masks multi-line values.',
  },
  'masked-base64': {
    label: 'Masked and hidden base64 variable',
    detail: 'The job decodes it (base64 -d). GitLab masks the base64 text in logs, but not the decoded copy.',
  },
  masked: {
    label: 'Masked variable (single-line values only)',
    detail: 'A kubeconfig is multi-line YAML and can never be masked as is: GitLab refuses it.',
  },
};

// ------------------------------------------------------------------------------------------------ input checks
// Each returns the message an InputBox shows, or undefined when the value is fine.

/** "OWNER/REPO" for GitHub. */
export function githubRepoProblem(value: string): string | undefined {
  const [owner, repo, ...rest] = value.trim().split('/');
  if (!owner || !repo || rest.length) return 'Enter OWNER/REPO, e.g. acme/shop.';
  return problemOf(() => checkGitHubRepo(owner, repo));
}

export function githubEnvironmentProblem(value: string): string | undefined {
  return value === '' ? undefined : problemOf(() => checkGitHubRepo('o', 'r', value));
}

export function githubSecretNameProblem(value: string): string | undefined {
  return problemOf(() => checkGitHubSecretName(value.trim()));
}

export function gitlabProjectProblem(value: string): string | undefined {
  return problemOf(() => checkGitLabProject(value.trim()));
}

export function gitlabKeyProblem(value: string, mode: GitLabMode): string | undefined {
  return problemOf(() => checkGitLabKey(value.trim(), mode));
}

export function gitlabScopeProblem(value: string): string | undefined {
  return value === '' ? undefined : problemOf(() => checkGitLabScope(value));
}

/** "MOUNT/PATH" for Vault KV v2 (the same shape rules as the CLI's vault: target). */
export function vaultPathProblem(value: string): string | undefined {
  return problemOf(() => parseExportTarget(`vault:${value.trim()}`));
}

/** Splits a checked "MOUNT/PATH". */
export function splitVaultPath(value: string): { mount: string; path: string } {
  const t = parseExportTarget(`vault:${value.trim()}`);
  if (t.kind !== 'vault') throw new Error('not a vault target');
  return { mount: t.mount, path: t.path };
}
