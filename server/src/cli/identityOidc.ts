/**
 * `pipeline-rbac identity oidc`: the keyless binding's parts (Role from a file, RoleBinding, the API server's
 * AuthenticationConfiguration entry, the workflow snippet), each under a heading that says what it is.
 */
import { resolve } from 'node:path';
import { oidcBundle, roleFromFile, type OidcBundle, type OidcProvider } from '../core/lifecycle';
import type { OidcApplyResult } from '../core/lifecycle/oidcApply';
import { checkIssuerCa, explicitIssuer, issuerForHost, type IssuerChoice } from '../core/lifecycle/oidcIssuer';
import { readText } from './files';

export interface OidcCommand {
  namespace: string;
  provider: OidcProvider;
  repo: string;
  role: { file: string } | { existing: string };
  environment?: string;
  pullRequest: boolean;
  ref?: { type: 'branch' | 'tag'; name: string };
  subject?: string;
  audience: string;
  prefix?: string;
  issuer?: string;
  certificateAuthority?: string;
  output?: string;
}

export interface OidcRun {
  bundle: OidcBundle;
  issuer: IssuerChoice;
  role: { name: string; file?: string; yaml?: string };
  /** Role (when from a file) and RoleBinding, as one multi-document YAML. */
  manifests: string;
  warnings: string[];
}

const HOST_ENV: Record<OidcProvider, string> = { github: 'GITHUB_API_URL', gitlab: 'GITLAB_HOST' };

/** The issuer: --issuer, else the one of the configured self-managed host, else the public one. Never silently public. */
export function chooseIssuer(cmd: Pick<OidcCommand, 'provider' | 'issuer'>, env: NodeJS.ProcessEnv): { choice: IssuerChoice; warnings: string[] } {
  const hostVar = HOST_ENV[cmd.provider];
  const fromHost = issuerForHost(cmd.provider, env[hostVar], hostVar);
  if (!cmd.issuer) return { choice: fromHost, warnings: [] };
  const choice = explicitIssuer(cmd.issuer, '--issuer', cmd.provider);
  const warnings =
    fromHost.source !== 'default' && fromHost.url !== choice.url
      ? [`${hostVar} names ${env[hostVar]}, whose ID tokens come from ${fromHost.url}; the binding trusts --issuer ${choice.url} instead.`]
      : [];
  return { choice, warnings };
}

export async function prepareOidc(cmd: OidcCommand, env: NodeJS.ProcessEnv, cwd: string): Promise<OidcRun> {
  let role: OidcRun['role'];
  if ('existing' in cmd.role) role = { name: cmd.role.existing };
  else {
    const text = await readText(resolve(cwd, cmd.role.file));
    role = { name: roleFromFile(text, cmd.namespace, cmd.role.file).name, file: cmd.role.file, yaml: text.trimEnd() };
  }
  const { choice, warnings } = chooseIssuer(cmd, env);
  const ca = cmd.certificateAuthority ? checkIssuerCa(await readText(resolve(cwd, cmd.certificateAuthority)), cmd.certificateAuthority) : undefined;
  const bundle = oidcBundle({
    provider: cmd.provider,
    repo: cmd.repo,
    namespace: cmd.namespace,
    roleName: role.name,
    audience: cmd.audience,
    pullRequest: cmd.pullRequest,
    issuer: choice.url,
    ...(ca ? { certificateAuthority: ca } : {}),
    ...(cmd.environment ? { environment: cmd.environment } : {}),
    ...(cmd.ref ? { ref: cmd.ref } : {}),
    ...(cmd.subject ? { subject: cmd.subject } : {}),
    ...(cmd.prefix !== undefined ? { prefix: cmd.prefix } : {}),
  });
  const manifests = role.yaml ? `${role.yaml}\n---\n${bundle.roleBinding}` : bundle.roleBinding;
  return { bundle, issuer: choice, role, manifests, warnings: [...warnings, ...bundle.warnings] };
}

function issuerLine(c: IssuerChoice, provider: OidcProvider): string {
  const from =
    c.source === 'default'
      ? `the public ${provider === 'github' ? 'GitHub Actions' : 'gitlab.com'} issuer; set ${HOST_ENV[provider]} or --issuer for a self-managed ${provider === 'github' ? 'GitHub Enterprise Server' : 'GitLab'}`
      : `from ${c.source}${c.selfManaged ? ', self-managed' : ''}`;
  return `Issuer: ${c.url} (${from})`;
}

/** The human-readable result; every heading names exactly what follows it. */
export function renderOidc(r: OidcRun, cmd: Pick<OidcCommand, 'provider' | 'namespace' | 'output'>, applied?: OidcApplyResult): string {
  const b = r.bundle;
  const bindingName = /^ {2}name: (.+)$/m.exec(b.roleBinding)?.[1] ?? '';
  const parts: string[] = [`OIDC subject ${b.subject} -> Kubernetes user ${b.username}`, issuerLine(r.issuer, cmd.provider), ''];
  for (const w of r.warnings) parts.push(`Warning: ${w}`, '');
  if (applied) {
    const state = (kind: string, name: string) => (applied.created.some((c) => c.kind === kind && c.name === name) ? 'created' : 'updated');
    const role = r.role.yaml ? `Role ${cmd.namespace}/${applied.role} (${state('Role', applied.role)}) and ` : '';
    parts.push(`Applied ${role}RoleBinding ${cmd.namespace}/${applied.roleBinding} (${state('RoleBinding', applied.roleBinding)}) to Role ${applied.role}.`, '');
  }
  if (cmd.output) {
    parts.push(`${r.role.yaml ? `Role ${cmd.namespace}/${r.role.name} and RoleBinding` : 'RoleBinding'} ${cmd.namespace}/${bindingName} written to ${cmd.output}`, '');
  } else {
    if (r.role.yaml) parts.push(`# Role ${cmd.namespace}/${r.role.name} (from ${r.role.file})`, r.role.yaml, '---', '');
    else parts.push(`# RoleBinding to the existing Role ${cmd.namespace}/${r.role.name}`);
    if (r.role.yaml) parts.push(`# RoleBinding ${cmd.namespace}/${bindingName}`);
    parts.push(b.roleBinding.trimEnd(), '');
  }
  parts.push(
    '# For the cluster admin: the API server authentication configuration (kube-apiserver --authentication-config)',
    b.authenticationConfiguration.trimEnd(),
    '',
    `# ${cmd.provider === 'github' ? 'GitHub Actions workflow' : 'GitLab CI job'}`,
    b.workflow.trimEnd(),
    '',
    ...b.notes.map((n) => `Note: ${n}`),
    '',
  );
  return parts.join('\n');
}
