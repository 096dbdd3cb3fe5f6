/**
 * The binding and role nodes of the identities model, each with the engine's risk findings. Memoised: the engine runs
 * once per role and once per binding, however many identities share them.
 */
import type { Finding } from '../engine/model';
import { formatRule } from '../engine/rbac/covers';
import { riskFindings } from '../engine/rules/risks';
import { bindingToRbacObject, roleToRbacObject } from './adapter';
import { isOurs } from './labels';
import { info, pushTo, worst, worstOf, type Readability } from './modelUtil';
import type { ApiBinding, ApiRole, BindingNode, Fact, FindingInfo, RoleNode, RuleNode, Snapshot } from './types';

/** A function that makes the node of a binding as it applies to one identity (`via` a direct subject or a group). */
export function bindingNodes(
  snap: Pick<Snapshot, 'roles' | 'clusterRoles'>,
  readable: Readability,
  findingsOf: (f: Finding[]) => Finding[],
): (b: ApiBinding, via: BindingNode['via'], group?: string) => BindingNode {
// ---- roles, memoised: the engine runs once per role, however many bindings use it.
const roles = new Map<string, ApiRole>();
for (const r of snap.roles) roles.set(`${r.metadata.namespace}/${r.metadata.name}`, r);
const clusterRoles = new Map<string, ApiRole>();
for (const r of snap.clusterRoles) clusterRoles.set(r.metadata.name, r);
const roleNodes = new Map<string, RoleNode>();

const roleNode = (kind: string, name: string, namespace: string | undefined): RoleNode => {
  const isCluster = kind === 'ClusterRole';
  const key = isCluster ? `ClusterRole/${name}` : `Role/${namespace}/${name}`;
  const cached = roleNodes.get(key);
  if (cached) return cached;
  const api = isCluster ? clusterRoles.get(name) : roles.get(`${namespace}/${name}`);
  const canRead = isCluster ? readable.can('clusterroles') : readable.can('roles', namespace);
  const node: RoleNode = {
    kind: isCluster ? 'ClusterRole' : 'Role',
    name,
    ...(isCluster ? {} : { namespace }),
    state: api ? 'ok' : canRead ? 'missing' : 'unreadable',
    aggregated: !!api?.aggregationRule,
    rules: [],
    findings: [],
  };
  if (api) {
    const byRule = new Map<number, FindingInfo[]>();
    for (const f of findingsOf(riskFindings(roleToRbacObject(api)))) {
      const idx = f.data?.ruleIndex;
      if (idx === undefined) node.findings.push(info(f));
      else pushTo(byRule, idx, info(f));
    }
    node.rules = (api.rules ?? []).map((rule, index): RuleNode => {
      const findings = byRule.get(index) ?? [];
      return { index, rule, text: formatRule(rule), findings, ...(findings.length ? { severity: worstOf(findings) } : {}) };
    });
    const s = worst(worstOf(node.findings), worstOf(node.rules));
    if (s) node.severity = s;
  }
  roleNodes.set(key, node);
  return node;
};

// ---- bindings: engine findings once per binding; the BindingNode differs only by `via`.
const bindingFindings = new Map<ApiBinding, FindingInfo[]>();
const bindingNode = (b: ApiBinding, via: BindingNode['via'], group?: string): BindingNode => {
  let findings = bindingFindings.get(b);
  if (!findings) {
    findings = findingsOf(riskFindings(bindingToRbacObject(b))).map(info);
    bindingFindings.set(b, findings);
  }
  const role = roleNode(b.roleRef.kind, b.roleRef.name, b.kind === 'RoleBinding' ? b.metadata.namespace : undefined);
  const facts: Fact[] = [];
  if (role.state === 'missing') {
    facts.push({ id: 'role-missing', severity: 'warning', message: `${role.kind} "${role.name}" does not exist: the binding grants nothing until someone creates it (and then grants whatever it holds)` });
  } else if (role.state === 'unreadable') {
    facts.push({ id: 'role-unreadable', severity: 'information', message: `you may not list ${role.kind === 'Role' ? `Roles in namespace ${role.namespace}` : 'ClusterRoles'}: the rules of ${role.kind} "${role.name}" are unknown` });
  }
  const node: BindingNode = {
    kind: b.kind,
    name: b.metadata.name,
    ...(b.metadata.namespace ? { namespace: b.metadata.namespace } : {}),
    via,
    ...(group ? { group } : {}),
    ours: isOurs(b.metadata),
    role,
    findings,
    facts,
  };
  const s = worst(worstOf(findings), worstOf(facts), role.severity);
  if (s) node.severity = s;
  return node;
};
  return bindingNode;
}
