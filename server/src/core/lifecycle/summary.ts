// Plain-text renderings of flow results for the CLI (the VS Code client shows its own UI).
// Inputs never hold a token, so neither can the text.
import { formatDuration } from './names';
import type { PreflightReport } from './preflight';
import { notRevokedMessage, type RevokeResult } from './revoke';
import type { RotateResult } from './rotate';
import type { PipelineSnippets } from './snippets';
import { describeOldTokenCheck } from './tokenProbe';
import type { IdentityResult, TokenInfo } from './types';
import { escapeStrings } from '../shared/controlChars';


export function tokenLine(t: TokenInfo): string {
  if (t.kind === 'secret') return `long-lived service-account-token Secret ${t.secretName} (never expires; revoke by deleting it)`;
  const life = t.grantedSeconds !== undefined ? ` (${formatDuration(t.grantedSeconds)})` : '';
  return `TokenRequest bound to Secret ${t.secretName}, expires ${t.expiresAt ?? '?'}${life}${t.shortened ? ' - SHORTENED by the server' : ''}`;
}

function indent(text: string, by = '    '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

function warningsBlock(warnings: readonly string[]): string[] {
  return warnings.length ? ['', 'Warnings:', ...warnings.map((w) => `  - ${w}`)] : [];
}

export function snippetsBlock(s: PipelineSnippets): string[] {
  const out: string[] = [];
  if (s.github || s.gitlab) out.push('', 'Use it in your pipeline:');
  if (s.github) out.push('  GitHub Actions:', indent(s.github));
  if (s.gitlab) out.push('  GitLab CI:', indent(s.gitlab));
  for (const n of s.notes) out.push(`  Note: ${n}`);
  return out;
}

export function renderCreate(result: IdentityResult, snippets?: PipelineSnippets): string {
  const r = escapeStrings(result); // names and messages quote the cluster: one line each
  const state = (kind: string, name: string) =>
    r.created.some((c) => c.kind === kind && c.name === name) ? 'created' : r.updated.some((c) => c.kind === kind && c.name === name) ? 'updated' : 'unchanged';
  const lines = [
    `Pipeline identity ${r.namespace}/${r.serviceAccount} is ready (${r.username}).`,
    `  ServiceAccount  ${r.namespace}/${r.serviceAccount}  ${state('ServiceAccount', r.serviceAccount)}`,
    `  Role            ${r.namespace}/${r.role}  ${r.roleOwned ? state('Role', r.role) : 'existing, not modified'}`,
    `  RoleBinding     ${r.namespace}/${r.roleBinding}  ${state('RoleBinding', r.roleBinding)}`,
    `  Token           ${tokenLine(r.token)}`,
    `  Exported to     ${r.export.location} (${r.export.action})`,
    ...warningsBlock(r.warnings),
    ...(snippets ? snippetsBlock(snippets) : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function renderRotate(result: RotateResult): string {
  const r = escapeStrings(result);
  const lines = [
    `Rotated the token of ${r.namespace}/${r.serviceAccount}.`,
    `  New token       ${tokenLine(r.token)}`,
    `  Exported to     ${r.export.location} (${r.export.action})`,
    `  Old token       ${r.revokedSecrets.length ? `revoked (deleted ${r.revokedSecrets.join(', ')}); ${describeOldTokenCheck(r.oldToken)}` : 'NOT revoked (no Secret proven to be its token)'}`,
    ...warningsBlock(r.warnings),
  ];
  return `${lines.join('\n')}\n`;
}

export function renderRevoke(result: RevokeResult): string {
  const r = escapeStrings(result);
  const lines = [
    r.remaining.length ? notRevokedMessage(r.namespace, r.serviceAccount, r.remaining) : `Revoked pipeline identity ${r.namespace}/${r.serviceAccount}.`,
    ...r.deleted.map((d) => `  deleted       ${d}`),
    ...(r.deleted.length ? [`  Token         ${describeOldTokenCheck(r.oldToken)}`] : []),
    ...r.alreadyGone.map((d) => `  already gone  ${d}`),
    ...r.kept.map((d) => `  kept          ${d}`),
    ...r.remaining.map((d) => `  still bound   ${d}`),
    ...(r.storeDeleted ? [`  deleted       the kubeconfig in ${r.storeDeleted}`] : []),
    ...(!r.storeDeleted && r.claimedExport
      ? [`  The ServiceAccount said its kubeconfig was exported to ${JSON.stringify(r.claimedExport)} (cluster text, not verified); delete it there, or use --delete-secret with --export TARGET.`]
      : []),
    ...warningsBlock(r.warnings),
  ];
  return `${lines.join('\n')}\n`;
}

export function renderPreflight(report: PreflightReport): string {
  // The fix is several lines by design (escapeLines at the output keeps those); everything else is one value each.
  const p = { ...escapeStrings({ ...report, fix: undefined }), fix: report.fix };
  const lines = [
    `You are ${p.user.username}${p.user.groups.length ? ` (groups ${p.user.groups.join(', ')})` : ''}`,
    `Context ${p.context}, server ${p.server}, namespace ${p.namespace}`,
    ...p.checks.map((c) => `  ${c.allowed ? 'ok     ' : 'MISSING'} ${c.verb} ${c.subresource ? `${c.resource}/${c.subresource}` : c.resource}  (${c.why})`),
    ...(p.fix ? ['', p.fix] : []),
    ...warningsBlock(p.warnings),
  ];
  return `${lines.join('\n')}\n`;
}
