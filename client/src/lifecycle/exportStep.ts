/**
 * The "where does the kubeconfig go" questions, shared by Create, Export Again and Rotate: the store, its target
 * (repository/project/path/key/file), then its credential. Every question is a numbered quick input of the calling
 * flow; Escape cancels the flow, Back returns to the store choice.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Uri, window, workspace } from 'vscode';
import type { GitLabMode } from '../../../server/src/core/stores';
import { credentialsFor, type CredentialState, type Credentials } from './credentials';
import {
  credentialNeed,
  describeChoice,
  githubEnvironmentProblem,
  githubRepoProblem,
  githubSecretNameProblem,
  gitlabKeyProblem,
  gitlabProjectProblem,
  gitlabScopeProblem,
  GITLAB_MODES,
  secretStorageKey,
  splitVaultPath,
  vaultPathProblem,
  type ExportChoice,
  type ExportKind,
} from './exportChoice';
import { FlowBack, FlowCancelled, input, pick, type PickItem, type StepPosition } from './wizard';

export interface ExportQuestion {
  context: string;
  namespace: string;
  name: string;
  /** Offered first ("the recorded target"), e.g. for Export Again. */
  current?: ExportChoice;
  /** The extension's SecretStorage and global state (tokens, the last Vault address). */
  state: CredentialState;
}

export interface ExportAnswer {
  choice: ExportChoice;
  credentials: Credentials;
}

const KIND_ITEMS: PickItem<ExportKind>[] = [
  { label: '$(github) GitHub Actions secret', description: 'repository or environment secret (sealed box)', value: 'github' },
  { label: '$(repo) GitLab CI/CD variable', description: 'protected project variable', value: 'gitlab' },
  { label: '$(lock) HashiCorp Vault / OpenBao', description: 'KV v2, check-and-set', value: 'vault' },
  { label: '$(key) VS Code SecretStorage', description: 'this machine only, for local use', value: 'vscode' },
  { label: '$(file) File', description: '$(warning) plain text, written with mode 0600', value: 'file' },
];

/** Asks the store and its details; `Back` on the first question propagates (the caller's previous step). */
export async function askExport(q: ExportQuestion, at: StepPosition): Promise<ExportAnswer> {
  for (;;) {
    const items: PickItem<ExportKind | 'current'>[] = [
      ...(q.current ? [{ label: '$(history) Same place as before', description: describeChoice(q.current), value: 'current' as const }] : []),
      ...KIND_ITEMS,
    ];
    const kind = await pick<ExportKind | 'current'>({ ...at, placeholder: 'Where should the kubeconfig go?', items });
    try {
      const choice = kind === 'current' && q.current ? q.current : await details(kind as ExportKind, q, { ...at, back: true });
      const credentials = await credentialsFor(credentialNeed(choice), q.state, { ...at, back: true });
      return { choice, credentials };
    } catch (e) {
      if (e instanceof FlowBack) continue; // back to the store choice
      throw e;
    }
  }
}

async function details(kind: ExportKind, q: ExportQuestion, at: StepPosition): Promise<ExportChoice> {
  switch (kind) {
    case 'github': {
      const repo = (await input({ ...at, prompt: 'GitHub repository (OWNER/REPO) whose workflows use the kubeconfig', placeholder: 'acme/shop', validate: githubRepoProblem })).trim();
      const environment = (
        await input({
          ...at,
          prompt: 'GitHub environment for an environment secret (recommended: protect it with required reviewers); empty for a repository secret',
          placeholder: 'production',
          validate: githubEnvironmentProblem,
        })
      ).trim();
      const secretName = (await input({ ...at, prompt: 'Secret name', value: 'KUBECONFIG', validate: githubSecretNameProblem })).trim();
      const [owner = '', name = ''] = repo.split('/');
      return { kind: 'github', owner, repo: name, secretName, ...(environment ? { environment } : {}) };
    }
    case 'gitlab': {
      const project = (await input({ ...at, prompt: 'GitLab project (full path group/project, or numeric id)', placeholder: 'acme/shop', validate: gitlabProjectProblem })).trim();
      const mode = await pick<GitLabMode>({
        ...at,
        placeholder: 'How should GitLab keep it? GitLab masks only single-line values, so a kubeconfig cannot be masked as is.',
        items: (['file', 'masked-base64', 'masked'] as const).map((m) => ({ label: GITLAB_MODES[m].label, detail: GITLAB_MODES[m].detail, value: m })),
      });
      const key = (
        await input({
          ...at,
          prompt: mode === 'file' ? 'Variable key (a file variable: $KEY is the path of the file)' : 'Variable key (not KUBECONFIG: kubectl reads that as a path)',
          value: mode === 'file' ? 'KUBECONFIG' : 'KUBECONFIG_B64',
          validate: (v) => gitlabKeyProblem(v, mode),
        })
      ).trim();
      const environmentScope = (await input({ ...at, prompt: 'Environment scope (empty or * for all environments)', value: '*', validate: gitlabScopeProblem })).trim();
      return { kind: 'gitlab', project, key, mode, ...(environmentScope && environmentScope !== '*' ? { environmentScope } : {}) };
    }
    case 'vault': {
      const v = await input({
        ...at,
        prompt: 'KV v2 mount and secret path (MOUNT/PATH); the kubeconfig goes into the field "kubeconfig"',
        value: `secret/ci/${q.namespace}/${q.name}`,
        validate: vaultPathProblem,
      });
      return { kind: 'vault', ...splitVaultPath(v) };
    }
    case 'vscode': {
      const key = (await input({ ...at, prompt: 'SecretStorage key', value: secretStorageKey(q.context, q.namespace, q.name), validate: (v) => (v.trim() ? undefined : 'The key is empty.') })).trim();
      return { kind: 'vscode', key };
    }
    case 'file':
      return { kind: 'file', path: await askFile(q) };
  }
}

/** The file for a plain-text kubeconfig, through the save dialog (a quick input in remote/web windows). */
async function askFile(q: ExportQuestion): Promise<string> {
  const folder = workspace.workspaceFolders?.[0]?.uri;
  const fileName = `${q.namespace}-${q.name}.kubeconfig`;
  // Outside the workspace by default: a kubeconfig must not end up in Git.
  const defaultUri = folder && folder.scheme !== 'file' ? folder.with({ path: join(homedir(), fileName) }) : Uri.file(join(homedir(), fileName));
  const uri = await window.showSaveDialog({
    title: 'Export the kubeconfig to a file (plain text, mode 0600)',
    saveLabel: 'Export Kubeconfig',
    defaultUri,
    filters: { Kubeconfig: ['kubeconfig', 'yaml', 'yml', 'conf'], 'All files': ['*'] },
  });
  if (!uri) throw new FlowCancelled();
  if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') throw new Error(`Cannot write a kubeconfig to ${uri.toString()}: choose a local file.`);
  return uri.fsPath;
}

/** Whether `path` is inside an open workspace folder (a warning: keep it out of Git). */
export function insideWorkspace(path: string): boolean {
  return (workspace.workspaceFolders ?? []).some((f) => path === f.uri.fsPath || path.startsWith(`${f.uri.fsPath}/`));
}
