/**
 * The identities model as indented text (CLI `--format text`), and the one-line labels the tree view also uses.
 * The model holds no token data, so nothing here can print one.
 */
import type { Severity } from '../engine/model';
import { describeToken } from './tokens';
import type { BindingNode, IdentitiesModel, IdentityNode, Problem, RoleNode } from './types';
import { escapeStrings } from '../shared/controlChars';

const MARK: Record<Severity, string> = { error: 'E', warning: 'W', information: 'I', hint: 'H' };

export function identityLabel(i: IdentityNode): string {
  return i.kind === 'ServiceAccount' ? i.name : `${i.kind} ${i.name}`;
}

/** Short description: pipeline, token state. */
export function identityDescription(i: IdentityNode): string {
  const parts: string[] = [];
  if (i.reasons.includes('keyless-binding')) parts.push(i.oidc?.issuer ? `keyless, issuer ${hostOf(i.oidc.issuer)}` : 'keyless');
  else if (i.labelled) parts.push('pipeline');
  if (i.annotations.pipeline) parts.push(i.annotations.pipeline);
  const t = i.tokens[0];
  if (t) parts.push(t.expired ? 'token expired' : t.expiringSoon ? 'token expiring soon' : t.kind === 'legacy-secret' ? 'legacy token' : 'token');
  if (i.flags.unused) parts.push('unused');
  if (i.exists === false) parts.push('missing');
  return parts.join(' \u00b7 ');
}

/** The issuer's host for a one-line label (the tooltip and text output show the whole URL). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 80);
  }
}

export function bindingLabel(b: BindingNode): string {
  const where = b.kind === 'RoleBinding' ? `${b.namespace}/` : '';
  return `${b.kind} ${where}${b.name}`;
}

export function bindingDescription(b: BindingNode): string {
  const via = b.via === 'group' ? ` (via group ${b.group})` : '';
  return `-> ${b.role.kind} ${b.role.name}${via}`;
}

export function roleLabel(r: RoleNode): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

export function problemText(p: Problem): string {
  return p.message;
}

function line(depth: number, text: string): string {
  return `${'  '.repeat(depth)}${text}`;
}

function renderBinding(b: BindingNode, depth: number, out: string[]): void {
  out.push(line(depth, `${bindingLabel(b)} ${bindingDescription(b)}${b.severity ? `  [${b.severity}]` : ''}`));
  for (const f of b.findings) out.push(line(depth + 2, `${MARK[f.severity]} ${f.ruleId}: ${f.message}`));
  for (const f of b.facts) out.push(line(depth + 2, `${MARK[f.severity]} ${f.message}`));
  const r = b.role;
  if (r.state !== 'ok') return;
  for (const f of r.findings) out.push(line(depth + 2, `${MARK[f.severity]} ${f.ruleId}: ${f.message}`));
  for (const rule of r.rules) {
    out.push(line(depth + 1, `rule ${rule.index}: ${rule.text}`));
    for (const f of rule.findings) out.push(line(depth + 2, `${MARK[f.severity]} ${f.ruleId}: ${f.message}`));
  }
}

function renderIdentity(i: IdentityNode, depth: number, out: string[]): void {
  const desc = identityDescription(i);
  out.push(line(depth, `${i.kind} ${i.name}${desc ? ` (${desc})` : ''}${i.severity ? `  [${i.severity}]` : ''}`));
  const a = i.annotations;
  const facts = [
    a.createdBy && `created by ${a.createdBy}`,
    a.createdAt && `at ${a.createdAt}`,
    a.exportedTo && `exported to ${a.exportedTo}`,
    a.lastRotated && `last rotated ${a.lastRotated}`,
  ].filter(Boolean);
  if (facts.length) out.push(line(depth + 1, facts.join(', ')));
  if (i.oidc) out.push(line(depth + 1, `OIDC subject ${i.oidc.subject}, issuer ${i.oidc.issuer ?? '(not recorded on the binding)'}`));
  for (const t of i.tokens) out.push(line(depth + 1, `token: ${describeToken(t)}`));
  for (const f of i.facts) out.push(line(depth + 1, `${MARK[f.severity]} ${f.message}`));
  for (const b of i.bindings) renderBinding(b, depth + 1, out);
}

export function renderIdentitiesText(model: IdentitiesModel): string {
  const m = escapeStrings(model); // annotations and rule strings are cluster text: none may start a line of its own
  const out: string[] = [];
  const who = m.user ? ` as ${m.user}` : '';
  const scope = m.scope === 'cluster' ? 'all namespaces' : `namespaces ${m.namespaces.map((n) => n.name).join(', ') || '(none)'}`;
  out.push(`context ${m.context || '(none)'} (${m.server})${who}: ${scope}${m.allServiceAccounts ? ', all ServiceAccounts' : ''}`);
  for (const p of m.problems) out.push(line(1, `! ${problemText(p)}`));
  for (const ns of m.namespaces) {
    out.push(`namespace ${ns.name}${ns.identities.length ? '' : ' (no identities)'}`);
    for (const p of ns.problems) out.push(line(1, `! ${problemText(p)}`));
    for (const i of ns.identities) renderIdentity(i, 1, out);
  }
  if (m.cluster.length) {
    out.push('cluster-wide');
    for (const i of m.cluster) renderIdentity(i, 1, out);
  }
  out.push(`${m.stats.identities} identities, ${m.stats.listRequests} list requests, fetched in ${m.stats.fetchMs} ms, built in ${m.stats.buildMs} ms`);
  return `${out.join('\n')}\n`;
}
