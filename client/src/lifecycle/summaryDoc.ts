/**
 * The read-only Markdown documents the identity commands open when they finish: what was created/rotated/revoked,
 * the token's lifetime, where the kubeconfig went and the pipeline snippet. Pure; built only from results, which
 * never hold a token.
 */
import {
  describeOldTokenCheck,
  type IdentityResult,
  type OidcBundle,
  type OidcProvider,
  type PipelineSnippets,
  type RevokeResult,
  type RotateResult,
  tokenLine,
} from '../../../server/src/core/lifecycle';

function fence(lang: string, text: string): string[] {
  return [`\`\`\`${lang}`, text.trimEnd(), '```'];
}

function warnings(list: readonly string[]): string[] {
  return list.length ? ['', '## Warnings', '', ...list.map((w) => `- ${w}`)] : [];
}

function snippetSection(s: PipelineSnippets | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  if (s.github) out.push('', '### GitHub Actions', '', ...fence('yaml', s.github));
  if (s.gitlab) out.push('', '### GitLab CI', '', ...fence('yaml', s.gitlab));
  if (s.notes.length) out.push('', ...s.notes.map((n) => `- ${n}`));
  return out.length ? ['', '## Use it in your pipeline', ...out] : [];
}

function state(r: IdentityResult, kind: string, name: string): string {
  if (r.created.some((c) => c.kind === kind && c.name === name)) return 'created';
  if (r.updated.some((c) => c.kind === kind && c.name === name)) return 'updated';
  return 'unchanged';
}

export function createSummary(r: IdentityResult, snippets: PipelineSnippets | undefined): string {
  return [
    `# Pipeline identity ${r.namespace}/${r.serviceAccount}`,
    '',
    `Kubernetes user \`${r.username}\`.`,
    '',
    '| Object | Name | Result |',
    '|---|---|---|',
    `| ServiceAccount | ${r.namespace}/${r.serviceAccount} | ${state(r, 'ServiceAccount', r.serviceAccount)} |`,
    `| Role | ${r.namespace}/${r.role} | ${r.roleOwned ? state(r, 'Role', r.role) : 'existing, not modified'} |`,
    `| RoleBinding | ${r.namespace}/${r.roleBinding} | ${state(r, 'RoleBinding', r.roleBinding)} |`,
    '',
    `**Token:** ${tokenLine(r.token)}`,
    '',
    `**Kubeconfig exported to:** ${r.export.location} (${r.export.action})`,
    ...warnings(r.warnings),
    ...snippetSection(snippets),
    '',
    '## Later',
    '',
    '- Rotate the token before it expires: *Pipeline RBAC: Rotate Token* (or right-click the identity in the Pipeline Identities view).',
    '- Remove everything: *Pipeline RBAC: Revoke Identity*.',
    '',
  ].join('\n');
}

export function rotateSummary(r: RotateResult): string {
  return [
    `# Token of ${r.namespace}/${r.serviceAccount} rotated`,
    '',
    `**New token:** ${tokenLine(r.token)}`,
    '',
    `**Kubeconfig exported to:** ${r.export.location} (${r.export.action})`,
    '',
    r.revokedSecrets.length
      ? `**Old token revoked:** ${r.revokedSecrets.join(', ')} deleted; ${describeOldTokenCheck(r.oldToken)}.`
      : '**Old token:** NOT revoked: no Secret could be proven to be its token (see the warnings).',
    ...warnings(r.warnings),
    '',
  ].join('\n');
}

export function revokeSummary(r: RevokeResult): string {
  return [
    `# Identity ${r.namespace}/${r.serviceAccount} revoked`,
    '',
    ...(r.deleted.length ? ['**Deleted:**', '', ...r.deleted.map((d) => `- ${d}`)] : ['Nothing needed deleting.']),
    ...(r.alreadyGone.length ? ['', '**Already gone:**', '', ...r.alreadyGone.map((d) => `- ${d}`)] : []),
    ...(r.kept.length ? ['', '**Kept:**', '', ...r.kept.map((d) => `- ${d}`)] : []),
    '',
    r.storeDeleted ? `**Stored kubeconfig deleted:** ${r.storeDeleted}` : r.claimedExport ? `**Stored kubeconfig:** the ServiceAccount said it was exported to ${JSON.stringify(r.claimedExport)} (cluster text, not verified); its token no longer works, delete it there.` : '',
    ...warnings(r.warnings),
    '',
  ].join('\n');
}

export function oidcSummary(b: OidcBundle, provider: OidcProvider, files: { binding: string; authConfig: string; workflow: string }): string {
  return [
    '# Keyless pipeline identity (OIDC)',
    '',
    `The ${provider === 'github' ? 'GitHub Actions' : 'GitLab CI'} job authenticates with its own OIDC ID token; no secret is stored anywhere.`,
    '',
    `- OIDC subject: \`${b.subject}\``,
    `- Kubernetes user: \`${b.username}\``,
    `- Issuer: \`${b.issuer}\``,
    ...b.warnings.map((w) => `- **Warning:** ${w}`),
    '',
    files.binding.startsWith('applied') ? `1. The RoleBinding is ${files.binding}.` : `1. Apply the RoleBinding (${files.binding}).`,
    `2. Add the JWT authenticator to the API server's AuthenticationConfiguration (${files.authConfig}); managed clusters need their provider's OIDC setup or a proxy instead.`,
    `3. Use the workflow snippet (${files.workflow}).`,
    '',
    ...b.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
