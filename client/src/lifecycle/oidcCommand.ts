/**
 * "Pipeline RBAC: Create OIDC Binding...": a keyless pipeline identity. Asks the CI provider, the issuer of its ID
 * tokens (prefilled from pipelineRbac.github.apiUrl / pipelineRbac.gitlab.url: a self-managed host signs its own),
 * the repository or project, what the job runs for (branch, tag, environment, pull request), the namespace and the
 * Role, then opens
 * three new editors from oidcBundle: the RoleBinding (with the Role when it came from a file), the API server's
 * AuthenticationConfiguration entry, and the workflow snippet. Nothing is applied and no secret exists.
 */
import { window, workspace } from 'vscode';
import {
  checkRbacName,
  InvalidInputError,
  type IssuerChoice,
  issuerForHost,
  issuerUrlProblem,
  oidcBundle,
  type OidcInput,
  type OidcProvider,
  oidcSubject,
  roleFromFile,
} from '../../../server/src/core/lifecycle';
import { readSettings } from '../settings';
import { storeSettings } from './credentials';
import { actingKubeconfig, type IdentityCommandDeps } from './common';
import { looksLikeRole, namespaceProblem } from './flowModel';
import { problemOf } from './inputCheck';
import { applyOrSave } from './oidcApplyStep';
import { oidcSummary } from './summaryDoc';
import { FlowBack, FlowCancelled, input, pick, type StepPosition } from './wizard';
import { errorText } from '../../../server/src/core/engine';

const TITLE = 'Create OIDC Binding';
const TOTAL = 6;

type For = { kind: 'branch' | 'tag'; name: string } | { kind: 'environment'; name: string } | { kind: 'pull-request' };

function at(step: number): StepPosition {
  return { title: TITLE, step, totalSteps: TOTAL };
}

interface OidcAnswers {
  provider: OidcProvider;
  issuer: string;
  repo: string;
  for: For;
  namespace: string;
  role: { name: string; yaml?: string };
}

async function askFor(provider: OidcProvider, pos: StepPosition): Promise<For> {
  const kinds: { label: string; description: string; value: For['kind'] }[] = [
    { label: '$(git-branch) Branch', description: provider === 'github' ? 'repo:ORG/REPO:ref:refs/heads/BRANCH' : 'project_path:...:ref_type:branch:ref:BRANCH', value: 'branch' },
    ...(provider === 'github'
      ? [
          { label: '$(server-environment) Environment', description: 'repo:ORG/REPO:environment:ENV (recommended with required reviewers)', value: 'environment' as const },
          { label: '$(git-pull-request) Pull requests', description: 'repo:ORG/REPO:pull_request (any pull request: read-only Roles only)', value: 'pull-request' as const },
        ]
      : []),
    { label: '$(tag) Tag', description: 'a release tag', value: 'tag' },
  ];
  const kind = await pick<For['kind']>({ ...pos, placeholder: 'Which jobs may use the binding? (the OIDC subject)', items: kinds.map((k) => ({ ...k })) });
  if (kind === 'pull-request') return { kind };
  const name = (
    await input({ ...pos, back: true, prompt: kind === 'environment' ? 'Environment name' : kind === 'tag' ? 'Tag name' : 'Branch name', value: kind === 'branch' ? 'main' : '', validate: (v) => (v.trim() && !/[\s:]/.test(v) ? undefined : 'Enter a name without spaces or ":".') })
  ).trim();
  return { kind, name };
}

const HOST_SETTING: Record<OidcProvider, string> = { github: 'pipelineRbac.github.apiUrl', gitlab: 'pipelineRbac.gitlab.url' };

/** The issuer the configured host implies; a setting that names no usable host is reported, not replaced by the public issuer. */
function configuredIssuer(provider: OidcProvider): IssuerChoice | { problem: string } {
  const s = storeSettings();
  try {
    return issuerForHost(provider, provider === 'github' ? s.githubApiUrl : s.gitlabUrl, HOST_SETTING[provider]);
  } catch (e) {
    return { problem: errorText(e) };
  }
}

async function askIssuer(provider: OidcProvider, previous: string | undefined, pos: StepPosition): Promise<string> {
  const c = configuredIssuer(provider);
  const from =
    'problem' in c
      ? `${c.problem}.`
      : c.source === 'default'
        ? `The public ${provider === 'github' ? 'GitHub Actions' : 'gitlab.com'} issuer; a self-managed ${provider === 'github' ? 'GitHub Enterprise Server' : 'GitLab'} signs its own tokens (set ${HOST_SETTING[provider]}).`
        : `From ${c.source}: tokens of this self-managed host, never the public service's.`;
  return (
    await input({
      ...pos,
      back: true,
      prompt: `Issuer of the CI job's ID tokens (their "iss" claim). ${from}`,
      value: previous ?? ('problem' in c ? '' : c.url),
      validate: (v) => issuerUrlProblem(v.trim()),
    })
  ).trim();
}

async function askRole(namespace: string, pos: StepPosition): Promise<{ name: string; yaml?: string }> {
  const files = workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git}/**', 2000).then(async (uris) => {
    const out: { label: string; value: { name: string; yaml?: string } | 'type' }[] = [];
    for (const uri of uris) {
      const text = new TextDecoder().decode(await workspace.fs.readFile(uri));
      if (!looksLikeRole(text)) continue;
      try {
        const spec = roleFromFile(text, namespace, workspace.asRelativePath(uri));
        out.push({ label: `$(file-code) ${workspace.asRelativePath(uri)}`, value: { name: spec.name, yaml: text.trimEnd() } });
      } catch {
        // another namespace, several documents...: not offered
      }
    }
    return [...out, { label: '$(edit) Name of an existing Role...', value: 'type' as const }];
  });
  const chosen = await pick<{ name: string; yaml?: string } | 'type'>({ ...pos, placeholder: `Role to bind in ${namespace}`, loading: 'Looking for Role documents...', items: files });
  if (chosen !== 'type') return chosen;
  const name = (await input({ ...pos, back: true, prompt: `Name of a Role in ${namespace}`, validate: (v) => problemOf(() => checkRbacName(v.trim())) })).trim();
  return { name };
}

async function askAll(defaultNamespace: string): Promise<OidcAnswers | undefined> {
  const a: Partial<OidcAnswers> = {};
  let step = 1;
  try {
    while (step <= TOTAL) {
      try {
        switch (step) {
          case 1: {
            const provider: OidcProvider = await pick<OidcProvider>({
              ...at(1),
              placeholder: 'Which CI system runs the pipeline?',
              items: (['github', 'gitlab'] as const).map((p) => {
                const c = configuredIssuer(p);
                return {
                  label: p === 'github' ? '$(github) GitHub Actions' : '$(repo) GitLab CI',
                  description: 'problem' in c ? `${HOST_SETTING[p]} needs attention` : `issuer ${c.url}`,
                  value: p,
                };
              }),
            });
            if (provider !== a.provider) delete a.issuer; // the other provider's issuer never carries over
            a.provider = provider;
            break;
          }
          case 2:
            a.issuer = await askIssuer(a.provider ?? 'github', a.issuer, at(2));
            break;
          case 3: {
            const provider = a.provider ?? 'github';
            a.repo = (
              await input({
                ...at(3),
                prompt: provider === 'github' ? 'Repository (ORG/REPO)' : 'Project path (group/project)',
                value: a.repo ?? '',
                validate: (v) => problemOf(() => oidcSubject({ provider, repo: v.trim() })),
              })
            ).trim();
            break;
          }
          case 4:
            a.for = await askFor(a.provider ?? 'github', at(4));
            break;
          case 5:
            a.namespace = (await input({ ...at(5), prompt: 'Namespace of the RoleBinding', value: a.namespace ?? defaultNamespace, validate: namespaceProblem })).trim();
            break;
          case 6:
            a.role = await askRole(a.namespace ?? defaultNamespace, at(6));
            break;
        }
        step += 1;
      } catch (e) {
        if (e instanceof FlowBack) step = Math.max(1, step - 1);
        else throw e;
      }
    }
  } catch (e) {
    if (e instanceof FlowCancelled) return undefined;
    throw e;
  }
  return a as OidcAnswers;
}

function bundleInput(a: OidcAnswers): OidcInput {
  const base = { provider: a.provider, issuer: a.issuer, repo: a.repo, namespace: a.namespace, roleName: a.role.name, audience: 'kubernetes' };
  switch (a.for.kind) {
    case 'environment':
      return { ...base, environment: a.for.name };
    case 'pull-request':
      return { ...base, pullRequest: true };
    default:
      return { ...base, ref: { type: a.for.kind, name: a.for.name } };
  }
}

export async function createOidcBindingCommand(deps: IdentityCommandDeps): Promise<void> {
  let ns = readSettings().namespace;
  if (!ns) {
    try {
      ns = actingKubeconfig().namespace;
    } catch {
      ns = 'default'; // no cluster is needed: this command only writes files
    }
  }
  const a = await askAll(ns);
  if (!a) return;
  let bundle;
  try {
    bundle = oidcBundle(bundleInput(a));
  } catch (err) {
    void window.showErrorMessage(`Pipeline RBAC: ${err instanceof InvalidInputError ? err.message : errorText(err)}`);
    return;
  }
  for (const w of bundle.warnings) {
    const go = await window.showWarningMessage(`Pipeline RBAC: ${w}`, { modal: true }, 'Continue');
    if (go !== 'Continue') return;
  }
  const outcome = await applyOrSave(deps, { title: TITLE }, { namespace: a.namespace, role: a.role, bundle }).catch((e: unknown) => {
    if (e instanceof FlowCancelled || e instanceof FlowBack) return undefined;
    throw e;
  });
  if (!outcome || outcome.kind === 'failed') return;
  const manifests = a.role.yaml ? `${a.role.yaml}\n---\n${bundle.roleBinding}` : bundle.roleBinding;
  const header = (what: string) => `# ${what} for the keyless pipeline identity ${bundle.username}\n`;
  // Read-only documents named after what they hold (File: Save As keeps a copy), not Untitled buffers.
  const base = `/oidc/${a.namespace}/${a.role.name}`;
  const open = (file: string, content: string, beside: boolean) => deps.docs.open(`${base}/${file}`, content, 'yaml', { beside });
  const applied = outcome.kind === 'applied';
  if (!applied) await open(`${a.role.yaml ? 'role-and-rolebinding' : 'rolebinding'}.yaml`, header(`${a.role.yaml ? 'Role and RoleBinding' : 'RoleBinding'} (apply it, or commit it for GitOps)`) + manifests, false);
  await open('authentication-config.yaml', header(`For the cluster admin: API server AuthenticationConfiguration trusting ${bundle.issuer}`) + bundle.authenticationConfiguration, !applied);
  await open(a.provider === 'github' ? 'workflow-step.yaml' : 'gitlab-ci-job.yaml', header(a.provider === 'github' ? 'GitHub Actions workflow' : 'GitLab CI job') + bundle.workflow, true);
  deps.output.info(`Create OIDC Binding: ${bundle.subject} -> ${bundle.username}, Role ${a.namespace}/${a.role.name}, issuer ${bundle.issuer}${applied ? `, applied to ${outcome.context}` : ''}`);
  const done = applied
    ? `applied RoleBinding ${a.namespace}/${outcome.result.roleBinding} for ${bundle.username} to ${outcome.context}. The cluster must trust ${bundle.issuer} (AuthenticationConfiguration in the editor); no secret is stored.`
    : `keyless binding for ${bundle.username} written to new editors (manifests, AuthenticationConfiguration, workflow); nothing applied, no secret stored.`;
  const choice = await window.showInformationMessage(`Pipeline RBAC: ${done}`, 'Show Notes');
  if (choice) {
    const files = applied ? { binding: `applied to ${outcome.context}`, authConfig: 'first editor', workflow: 'second editor' } : { binding: 'first editor', authConfig: 'second editor', workflow: 'third editor' };
    await deps.docs.open(`/oidc/${a.namespace}-${a.role.name}.md`, oidcSummary(bundle, a.provider, files), 'markdown', { beside: true });
  }
}
