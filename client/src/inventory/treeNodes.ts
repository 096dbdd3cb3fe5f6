/**
 * The identities tree as plain data: what each node says (label, description, tooltip, icon, colour, context value)
 * and what is below it. No `vscode` here, so the tree's content is unit-testable; the client's TreeDataProvider only
 * maps these to TreeItems and fetches the lazy parts (contexts, My Access).
 */
import { escapeMarkdown, type Severity } from '../../../server/src/core/engine';
import {
  bindingDescription,
  bindingLabel,
  describeToken,
  identityDescription,
  identityLabel,
  roleLabel,
  type AccessRow,
  type BindingNode,
  type Fact,
  type FindingInfo,
  type IdentitiesModel,
  type IdentityNode,
  type NamespaceNode,
  type Problem,
  type RoleNode,
  type RuleNode,
  type TokenInfo,
} from '../../../server/src/core/inventory';
import { findingLines, tooltip } from './treeMarkdown';

export { accessNodes } from './treeAccess';

export type ViewNodeKind = 'context' | 'namespace' | 'problem' | 'myAccess' | 'accessRow' | 'identity' | 'token' | 'fact' | 'binding' | 'role' | 'rule' | 'message';

/** Colour roles; the client maps them to ThemeColors (problemsErrorIcon.foreground, ...). */
export type NodeColor = Severity | 'muted';

export interface ViewNode {
  kind: ViewNodeKind;
  /** Unique and stable across refreshes (TreeItem.id keeps expansion state). */
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  /** Codicon id. */
  icon: string;
  color?: NodeColor;
  /**
   * Space-separated words, so `when` clauses can match with `viewItem =~ /\bidentity\b.*\bpipeline\b/`.
   * First word: the node kind.
   */
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** The kubeconfig context the node belongs to. */
  context: string;
  namespace?: string;
  identity?: IdentityNode;
  binding?: BindingNode;
  role?: RoleNode;
  rule?: RuleNode;
  accessRow?: AccessRow;
}

function severityIcon(base: string, severity: Severity | undefined): { icon: string; color?: NodeColor } {
  if (!severity || severity === 'hint') return { icon: base };
  return { icon: base, color: severity };
}

// ---------------------------------------------------------------- namespace level

export function namespaceNodes(model: IdentitiesModel, context: string): ViewNode[] {
  const out: ViewNode[] = [];
  // Cluster-wide 403s come in a batch (one per list); one line says it, the tooltip lists them.
  const forbidden = model.problems.filter((p) => p.kind === 'forbidden');
  if (forbidden.length) {
    out.push({
      kind: 'problem',
      id: `${context}/problem/forbidden`,
      // The label stays short enough for the default sidebar width; the names go to the description and tooltip.
      label: forbidden.length === 1 ? `Cannot list ${forbidden[0]!.resource} cluster-wide` : `Cannot list ${forbidden.length} kinds cluster-wide`,
      description: forbidden.length === 1 ? 'showing the namespaces you can see' : `${forbidden.map((p) => p.resource).join(', ')} \u00b7 showing the namespaces you can see`,
      tooltip: tooltip('Some lists are forbidden cluster-wide', forbidden.map((p) => `- ${escapeMarkdown(p.message)}`)),
      icon: 'lock',
      color: 'information',
      contextValue: 'problem forbidden',
      collapsible: 'none',
      context,
    });
  }
  for (const p of model.problems) if (p.kind !== 'forbidden') out.push(problemNode(p, context, `${context}/problem/${p.resource}`));
  for (const ns of model.namespaces) out.push(namespaceNode(ns, context));
  if (model.cluster.length) {
    out.push({
      kind: 'namespace',
      id: `${context}/cluster`,
      label: 'Cluster-wide',
      description: `${model.cluster.length} identit${model.cluster.length === 1 ? 'y' : 'ies'}`,
      icon: 'globe',
      contextValue: 'namespace clusterWide',
      collapsible: 'collapsed',
      context,
    });
  }
  if (out.length === 0) out.push(messageNode(context, `${context}/empty`, 'No namespaces you can see'));
  return out;
}

function namespaceNode(ns: NamespaceNode, context: string): ViewNode {
  const worst = ns.identities.reduce<Severity | undefined>((w, i) => pickWorse(w, i.severity), undefined);
  const forbidden = !ns.readable;
  const n = ns.identities.length;
  return {
    kind: 'namespace',
    id: `${context}/ns/${ns.name}`,
    label: ns.name,
    description: forbidden && n === 0 ? 'cannot list ServiceAccounts' : `${n} identit${n === 1 ? 'y' : 'ies'}${ns.problems.length ? ' \u00b7 partly readable' : ''}`,
    tooltip: tooltip(`namespace ${ns.name}`, ns.problems.map((p) => `- ${escapeMarkdown(p.message)}`)),
    ...(forbidden ? { icon: 'lock', color: 'warning' as const } : severityIcon('symbol-namespace', worst)),
    contextValue: `namespace${forbidden ? ' forbidden' : ''}`,
    collapsible: 'collapsed',
    context,
    namespace: ns.name,
  };
}

const RANK: Record<Severity, number> = { error: 4, warning: 3, information: 2, hint: 1 };
function pickWorse(a: Severity | undefined, b: Severity | undefined): Severity | undefined {
  if (!a) return b;
  if (!b) return a;
  return RANK[b] > RANK[a] ? b : a;
}

function problemNode(p: Problem, context: string, id: string): ViewNode {
  return {
    kind: 'problem',
    id,
    label: p.kind === 'forbidden' ? `Cannot list ${p.resource}${p.namespace ? ` in ${p.namespace}` : ' cluster-wide'}` : `Could not list ${p.resource}`,
    description: p.kind === 'forbidden' && !p.namespace ? 'showing the namespaces you can see' : p.kind,
    tooltip: tooltip(p.message, []),
    icon: p.kind === 'forbidden' ? 'lock' : 'warning',
    color: p.kind === 'forbidden' ? 'information' : 'warning',
    contextValue: 'problem',
    collapsible: 'none',
    context,
    ...(p.namespace ? { namespace: p.namespace } : {}),
  };
}

function messageNode(context: string, id: string, label: string, description?: string): ViewNode {
  return { kind: 'message', id, label, ...(description ? { description } : {}), icon: 'info', contextValue: 'message', collapsible: 'none', context };
}

/** Children of a namespace node: its problems, "My Access", then its identities. */
export function namespaceChildren(model: IdentitiesModel, node: ViewNode): ViewNode[] {
  const ctx = node.context;
  if (node.contextValue.startsWith('namespace clusterWide')) return model.cluster.map((i) => identityNode(i, ctx));
  const ns = model.namespaces.find((n) => n.name === node.namespace);
  if (!ns) return [];
  const out: ViewNode[] = ns.problems.map((p, i) => problemNode(p, ctx, `${node.id}/problem/${i}`));
  out.push({
    kind: 'myAccess',
    id: `${node.id}/my-access`,
    label: 'My Access',
    description: model.user ? `as ${model.user}` : undefined,
    tooltip: tooltip('My Access', [`What you may do in namespace ${escapeMarkdown(ns.name)} (SelfSubjectRulesReview), like \`kubectl auth can-i --list\`.`]),
    icon: 'shield',
    contextValue: 'myAccess',
    collapsible: 'collapsed',
    context: ctx,
    namespace: ns.name,
  });
  for (const i of ns.identities) out.push(identityNode(i, ctx));
  if (ns.identities.length === 0 && ns.readable) out.push(messageNode(ctx, `${node.id}/none`, model.allServiceAccounts ? 'No ServiceAccount with a binding or token' : 'No pipeline identities', model.allServiceAccounts ? undefined : 'toggle "Show all ServiceAccounts" for the others'));
  return out;
}

// ---------------------------------------------------------------- identities

const KIND_ICON: Record<IdentityNode['kind'], string> = { ServiceAccount: 'robot', User: 'person', Group: 'organization' };

export function identityNode(i: IdentityNode, context: string): ViewNode {
  const words = ['identity', i.kind === 'ServiceAccount' ? 'serviceAccount' : i.kind === 'User' ? 'user' : 'group'];
  if (i.labelled) words.push('pipeline');
  if (i.reasons.includes('keyless-binding')) words.push('keyless');
  if (i.tokens.length) words.push('token');
  if (i.tokens.some((t) => t.kind === 'legacy-secret')) words.push('legacyToken');
  if (i.flags.expiringSoon || i.flags.expired) words.push('expiring');
  if (i.flags.unused) words.push('unused');
  const a = i.annotations;
  const allFindings = collectFindings(i);
  const lines = [
    `${i.kind}${i.namespace ? ` in namespace ${escapeMarkdown(i.namespace)}` : ''}`,
    i.oidc && `- OIDC subject: ${escapeMarkdown(i.oidc.subject)}`,
    i.oidc && `- issuer: ${i.oidc.issuer ? escapeMarkdown(i.oidc.issuer) : 'not recorded on the binding'}`,
    a.pipeline && `- pipeline: ${escapeMarkdown(a.pipeline)}`,
    a.createdBy && `- created by ${escapeMarkdown(a.createdBy)}${a.createdAt ? ` at ${escapeMarkdown(a.createdAt)}` : ''}`,
    a.exportedTo && `- exported to ${escapeMarkdown(a.exportedTo)}`,
    a.lastRotated && `- last rotated ${escapeMarkdown(a.lastRotated)}`,
    ...i.tokens.map((t) => `- ${escapeMarkdown(describeToken(t))}`),
    ...findingLines(allFindings, i.facts),
  ];
  const highlighted = i.flags.expired ? 'error' : i.flags.expiringSoon || i.flags.unused ? 'warning' : undefined;
  const sev = pickWorse(i.severity === 'hint' ? undefined : i.severity, highlighted);
  return {
    kind: 'identity',
    id: `${context}/id/${i.id}`,
    label: identityLabel(i),
    description: identityDescription(i),
    tooltip: tooltip(identityLabel(i), lines),
    icon: KIND_ICON[i.kind],
    ...(sev ? { color: sev } : {}),
    contextValue: words.join(' '),
    collapsible: 'collapsed',
    context,
    ...(i.namespace ? { namespace: i.namespace } : {}),
    identity: i,
  };
}

/** Every engine finding below an identity, deduplicated by message (for its tooltip). */
function collectFindings(i: IdentityNode): FindingInfo[] {
  const seen = new Map<string, FindingInfo>();
  const add = (f: FindingInfo) => !seen.has(f.message) && seen.set(f.message, f);
  for (const b of i.bindings) {
    b.findings.forEach(add);
    b.role.findings.forEach(add);
    for (const r of b.role.rules) r.findings.forEach(add);
  }
  return [...seen.values()].sort((x, y) => RANK[y.severity] - RANK[x.severity]);
}

function tokenNode(t: TokenInfo, parent: ViewNode, index: number): ViewNode {
  const highlighted = t.expired ? 'error' : t.expiringSoon || t.unused ? 'warning' : undefined;
  const label = t.kind === 'token-request' ? 'TokenRequest token' : 'Legacy token Secret';
  const state = t.expired ? 'expired' : t.expiringSoon ? 'expiring soon' : t.unused ? 'unused' : undefined;
  return {
    kind: 'token',
    id: `${parent.id}/token/${t.secretName ?? index}`,
    label,
    description: [state, describeToken(t).split(', ').slice(1).join(', ')].filter(Boolean).join(' \u00b7 '),
    tooltip: tooltip(label, [`- ${escapeMarkdown(describeToken(t))}`, t.kind === 'legacy-secret' ? '- never expires; revoke it by deleting the Secret' : '- deleting its bound Secret revokes it']),
    icon: highlighted ? 'warning' : 'key',
    ...(highlighted ? { color: highlighted } : {}),
    contextValue: `token ${t.kind === 'token-request' ? 'tokenRequest' : 'legacyToken'}${state ? ` ${state.replace(' ', '-')}` : ''}`,
    collapsible: 'none',
    context: parent.context,
    ...(parent.namespace ? { namespace: parent.namespace } : {}),
    ...(parent.identity ? { identity: parent.identity } : {}),
  };
}

function factNode(f: Fact, parent: ViewNode, index: number): ViewNode {
  return {
    kind: 'fact',
    id: `${parent.id}/fact/${index}`,
    label: f.message,
    tooltip: tooltip(f.message, []),
    icon: f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info',
    color: f.severity === 'hint' ? 'muted' : f.severity,
    contextValue: `fact ${f.id}`,
    collapsible: 'none',
    context: parent.context,
  };
}

/** Children of an identity: its tokens, facts worth a line, then its bindings. */
export function identityChildren(node: ViewNode): ViewNode[] {
  const i = node.identity;
  if (!i) return [];
  const out = i.tokens.map((t, n) => tokenNode(t, node, n));
  // Token facts already show on the token rows; the others (missing SA, unreadable lists) get a line each.
  i.facts.filter((f) => !f.id.startsWith('token-') && f.severity !== 'hint').forEach((f, n) => out.push(factNode(f, node, n)));
  i.bindings.forEach((b, n) => out.push(bindingNode(b, node, n)));
  return out;
}

// ---------------------------------------------------------------- bindings, roles, rules

function bindingNode(b: BindingNode, parent: ViewNode, index: number): ViewNode {
  return {
    kind: 'binding',
    id: `${parent.id}/b/${b.kind}/${b.namespace ?? ''}/${b.name}/${index}`,
    label: bindingLabel(b),
    description: bindingDescription(b),
    tooltip: tooltip(bindingLabel(b), [
      `grants ${b.role.kind} ${escapeMarkdown(b.role.name)}${b.via === 'group' ? ` through group ${escapeMarkdown(b.group ?? '')}` : ''}`,
      ...findingLines(b.findings, b.facts),
    ]),
    ...severityIcon(b.kind === 'ClusterRoleBinding' ? 'globe' : 'link', b.severity),
    contextValue: `binding ${b.kind === 'RoleBinding' ? 'roleBinding' : 'clusterRoleBinding'}${b.ours ? ' ours' : ''}`,
    collapsible: 'collapsed',
    context: parent.context,
    ...(b.namespace ? { namespace: b.namespace } : {}),
    ...(parent.identity ? { identity: parent.identity } : {}),
    binding: b,
  };
}

export function bindingChildren(node: ViewNode): ViewNode[] {
  const b = node.binding;
  if (!b) return [];
  const out: ViewNode[] = b.facts.map((f, n) => factNode(f, node, n));
  const r = b.role;
  out.push({
    kind: 'role',
    id: `${node.id}/role`,
    label: roleLabel(r),
    description: r.state === 'ok' ? `${r.rules.length} rule${r.rules.length === 1 ? '' : 's'}${r.aggregated ? ' \u00b7 aggregated' : ''}` : r.state === 'missing' ? 'does not exist' : 'not readable',
    tooltip: tooltip(roleLabel(r), findingLines(r.findings)),
    ...(r.state === 'ok' ? severityIcon('shield', r.severity) : { icon: 'question', color: 'muted' as const }),
    contextValue: `role ${r.kind === 'Role' ? 'roleKind' : 'clusterRoleKind'}${r.state === 'ok' ? ' readable' : ` ${r.state}`}`,
    collapsible: r.state === 'ok' && r.rules.length ? 'collapsed' : 'none',
    context: node.context,
    ...(b.namespace ? { namespace: b.namespace } : {}),
    ...(node.identity ? { identity: node.identity } : {}),
    binding: b,
    role: r,
  });
  return out;
}

/** "get, list · deployments (apps)" */
export function ruleLabel(rule: RuleNode['rule']): string {
  const verbs = (rule.verbs ?? []).join(', ') || '(no verbs)';
  if (rule.nonResourceURLs?.length) return `${verbs} \u00b7 ${rule.nonResourceURLs.join(', ')}`;
  const groups = (rule.apiGroups ?? []).map((g) => (g === '' ? 'core' : g)).join(', ');
  return `${verbs} \u00b7 ${(rule.resources ?? []).join(', ')}${groups ? ` (${groups})` : ''}`;
}

export function roleChildren(node: ViewNode): ViewNode[] {
  const r = node.role;
  if (!r || r.state !== 'ok') return [];
  return r.rules.map((rule) => ({
    kind: 'rule',
    id: `${node.id}/rule/${rule.index}`,
    label: ruleLabel(rule.rule),
    ...(rule.rule.resourceNames?.length ? { description: `names: ${rule.rule.resourceNames.join(', ')}` } : {}),
    tooltip: tooltip(rule.text, findingLines(rule.findings)),
    ...severityIcon(rule.severity ? 'circle-filled' : 'circle-outline', rule.severity),
    contextValue: `rule${rule.findings.length ? ' risky' : ''}`,
    collapsible: 'none',
    context: node.context,
    ...(node.namespace ? { namespace: node.namespace } : {}),
    role: r,
    rule,
  }));
}
