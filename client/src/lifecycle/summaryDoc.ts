/**
 * The read-only Markdown documents the identity commands open when they finish: what was created/rotated/revoked,
 * the token's lifetime, where the kubeconfig went and the pipeline snippet. Pure; built only from results, which
 * never hold a token. Every value is cluster or user text, so each goes through the one Markdown escape (`t`,
 * `markdownCode`, `markdownFence`): an annotation reads as its text, never as an image, link or HTML.
 */
import { escapeMarkdown as t, markdownCode, markdownFence } from '../../../server/src/core/engine';
import {
  describeOldTokenCheck,
  notRevokedMessage,
  type IdentityResult,
  type OidcBundle,
  type OidcProvider,
  type PipelineSnippets,
  type RevokeResult,
  type RotateResult,
  tokenLine,
} from '../../../server/src/core/lifecycle';

const fence = markdownFence;

function items(list: readonly string[]): string[] {
  return list.map((x) => `- ${t(x)}`);
}

function warnings(list: readonly string[]): string[] {
  return list.length ? ['', '## Warnings', '', ...items(list)] : [];
}

function snippetSection(s: PipelineSnippets | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  if (s.github) out.push('', '### GitHub Actions', '', ...fence('yaml', s.github));
  if (s.gitlab) out.push('', '### GitLab CI', '', ...fence('yaml', s.gitlab));
  if (s.notes.length) out.push('', ...items(s.notes));
  return out.length ? ['', '## Use it in your pipeline', ...out] : [];
}

function state(r: IdentityResult, kind: string, name: string): string {
  if (r.created.some((c) => c.kind === kind && c.name === name)) return 'created';
  if (r.updated.some((c) => c.kind === kind && c.name === name)) return 'updated';
  return 'unchanged';
}

export function createSummary(r: IdentityResult, snippets: PipelineSnippets | undefined): string {
  return [
    `# Pipeline identity ${t(`${r.namespace}/${r.serviceAccount}`)}`,
    '',
    `Kubernetes user ${markdownCode(r.username)}.`,
    '',
    '| Object | Name | Result |',
    '|---|---|---|',
    `| ServiceAccount | ${t(`${r.namespace}/${r.serviceAccount}`)} | ${state(r, 'ServiceAccount', r.serviceAccount)} |`,
    `| Role | ${t(`${r.namespace}/${r.role}`)} | ${r.roleOwned ? state(r, 'Role', r.role) : 'existing, not modified'} |`,
    `| RoleBinding | ${t(`${r.namespace}/${r.roleBinding}`)} | ${state(r, 'RoleBinding', r.roleBinding)} |`,
    '',
    `**Token:** ${t(tokenLine(r.token))}`,
    '',
    `**Kubeconfig exported to:** ${t(`${r.export.location} (${r.export.action})`)}`,
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
    `# Token of ${t(`${r.namespace}/${r.serviceAccount}`)} rotated`,
    '',
    `**New token:** ${t(tokenLine(r.token))}`,
    '',
    `**Kubeconfig exported to:** ${t(`${r.export.location} (${r.export.action})`)}`,
    '',
    r.revokedSecrets.length
      ? `**Old token revoked:** ${t(`${r.revokedSecrets.join(', ')} deleted; ${describeOldTokenCheck(r.oldToken)}.`)}`
      : '**Old token:** NOT revoked: no Secret could be proven to be its token (see the warnings).',
    ...warnings(r.warnings),
    '',
  ].join('\n');
}

export function revokeSummary(r: RevokeResult): string {
  return [
    r.remaining.length ? `# Identity ${t(`${r.namespace}/${r.serviceAccount}`)} NOT fully revoked` : `# Identity ${t(`${r.namespace}/${r.serviceAccount}`)} revoked`,
    '',
    ...(r.remaining.length ? [`**${t(notRevokedMessage(r.namespace, r.serviceAccount, r.remaining))}**`, '', '**Still bound:**', '', ...items(r.remaining), ''] : []),
    ...(r.deleted.length ? ['**Deleted:**', '', ...items(r.deleted)] : ['Nothing needed deleting.']),
    ...(r.alreadyGone.length ? ['', '**Already gone:**', '', ...items(r.alreadyGone)] : []),
    ...(r.kept.length ? ['', '**Kept:**', '', ...items(r.kept)] : []),
    '',
    r.storeDeleted
      ? `**Stored kubeconfig deleted:** ${t(r.storeDeleted)}`
      : r.claimedExport
        ? `**Stored kubeconfig:** the ServiceAccount said it was exported to ${t(JSON.stringify(r.claimedExport))} (cluster text, not verified); its token no longer works, delete it there.`
        : '',
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
    `- OIDC subject: ${markdownCode(b.subject)}`,
    `- Kubernetes user: ${markdownCode(b.username)}`,
    `- Issuer: ${markdownCode(b.issuer)}`,
    ...b.warnings.map((w) => `- **Warning:** ${t(w)}`),
    '',
    files.binding.startsWith('applied') ? `1. The RoleBinding is ${t(files.binding)}.` : `1. Apply the RoleBinding (${t(files.binding)}).`,
    `2. Add the JWT authenticator to the API server's AuthenticationConfiguration (${t(files.authConfig)}); managed clusters need their provider's OIDC setup or a proxy instead.`,
    `3. Use the workflow snippet (${t(files.workflow)}).`,
    '',
    ...items(b.notes),
    '',
  ].join('\n');
}
