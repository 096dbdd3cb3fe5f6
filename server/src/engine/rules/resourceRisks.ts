/**
 * Risky grants on specific resources, matched the way the RBAC authorizer matches requests: apiGroup-aware (a custom
 * group's `pods` is not core pods; `*` matches every group), `*` and `*\/subresource` resources, `*` verbs, over every
 * rule. resourceNames narrow a grant (noted in the message) and make create/deletecollection of top-level objects
 * grant nothing at all, since those requests carry no name.
 */
import type { Finding, LocatedRule, RbacObject, RuleId, Span } from '../model';
import { resourceItemMatches } from '../rbac/evaluate';
import { defaultSeverity } from './catalog';

interface Target {
  group: string;
  resource: string;
  /** Subresource; '*' = any subresource of `resource` (userextras/<key>). */
  subresource?: string;
  /** Verbs that make the grant risky; 'any' = every verb. */
  verbs: readonly string[] | 'any';
}

export interface ResourceRisk {
  id: RuleId;
  targets: readonly Target[];
  /** The item that carries the risk: the resource (secrets) or the verb (escalate). */
  anchor: 'resource' | 'verb';
  effect: string;
}

type Verbs = readonly string[] | 'any';
const core = (verbs: Verbs, ...resources: string[]): Target[] => resources.map((r) => target('', r, verbs));
const inGroup = (group: string, verbs: Verbs, ...resources: string[]): Target[] => resources.map((r) => target(group, r, verbs));

function target(group: string, combined: string, verbs: Verbs): Target {
  const slash = combined.indexOf('/');
  if (slash < 0) return { group, resource: combined, verbs };
  return { group, resource: combined.slice(0, slash), subresource: combined.slice(slash + 1), verbs };
}

const RBAC = 'rbac.authorization.k8s.io';
const WRITE = ['create', 'update', 'patch'];

export const RESOURCE_RISKS: readonly ResourceRisk[] = [
  { id: 'secrets-read', targets: core(['get', 'list', 'watch'], 'secrets'), anchor: 'resource', effect: 'reveals Secret contents (list and watch return the data too)' },
  {
    id: 'token-create',
    targets: core(['create'], 'serviceaccounts/token', 'secrets'),
    anchor: 'resource',
    effect: 'mints ServiceAccount tokens (TokenRequest, or a service-account-token Secret the controller fills in)',
  },
  {
    id: 'workload-create',
    targets: [
      ...core(WRITE, 'pods', 'replicationcontrollers'),
      ...inGroup('apps', WRITE, 'deployments', 'replicasets', 'statefulsets', 'daemonsets'),
      ...inGroup('batch', WRITE, 'jobs', 'cronjobs'),
    ],
    anchor: 'resource',
    effect: 'runs pods that can use any ServiceAccount, Secret and ConfigMap of the namespace',
  },
  {
    id: 'pods-exec',
    // Websocket exec/attach/portforward is authorised as get before 1.35; ephemeral containers are an update.
    targets: [...core(['get', 'create'], 'pods/exec', 'pods/attach', 'pods/portforward'), ...core(['update', 'patch'], 'pods/ephemeralcontainers')],
    anchor: 'resource',
    effect: 'runs commands in, attaches to or adds containers to running pods',
  },
  {
    id: 'escalate-verb',
    targets: inGroup(RBAC, ['escalate'], 'roles', 'clusterroles'),
    anchor: 'verb',
    effect: 'lets the holder write any permission into roles (bypasses escalation prevention)',
  },
  {
    id: 'bind-verb',
    targets: inGroup(RBAC, ['bind'], 'roles', 'clusterroles'),
    anchor: 'verb',
    effect: 'lets the holder bind roles with permissions it does not hold',
  },
  {
    id: 'impersonate',
    targets: [
      ...core(['impersonate'], 'users', 'groups', 'serviceaccounts'),
      ...inGroup('authentication.k8s.io', ['impersonate'], 'uids', 'userextras/*'),
    ],
    anchor: 'verb',
    effect: 'acts as other users, groups or ServiceAccounts and gains their rights',
  },
  {
    id: 'nodes-proxy',
    targets: core('any', 'nodes/proxy'),
    anchor: 'resource',
    effect: 'reaches the kubelet API: exec in every pod of the node, bypassing audit and admission (even get)',
  },
  {
    id: 'csr-approve',
    targets: [
      ...inGroup('certificates.k8s.io', ['update', 'patch'], 'certificatesigningrequests/approval'),
      ...inGroup('certificates.k8s.io', ['approve'], 'signers'),
    ],
    anchor: 'resource',
    effect: 'approves certificate signing requests: client certificates for any identity',
  },
  {
    id: 'webhook-config',
    targets: inGroup('admissionregistration.k8s.io', ['create', 'update', 'patch', 'delete', 'deletecollection'], 'validatingwebhookconfigurations', 'mutatingwebhookconfigurations'),
    anchor: 'resource',
    effect: 'controls admission webhooks that see and can change every admitted object',
  },
  { id: 'pv-create', targets: core(['create'], 'persistentvolumes'), anchor: 'resource', effect: 'creates hostPath volumes: the node filesystem' },
  { id: 'namespace-modify', targets: core(['patch', 'update'], 'namespaces'), anchor: 'resource', effect: 'changes namespace labels such as Pod Security admission levels' },
  {
    id: 'status-modify',
    targets: core(['update', 'patch'], 'pods/status', 'services/status', 'nodes/status'),
    anchor: 'resource',
    effect: 'rewrites status that other components trust (load-balancer IPs, pod and node conditions)',
  },
];

/** Does a rule's resource string match a target (authorizer semantics, plus "any subresource" targets)? */
function resourceMatchesTarget(item: string, t: Target): boolean {
  if (t.subresource === '*') {
    return item === '*' || item.startsWith(`${t.resource}/`) || (item.startsWith('*/') && item.length > 2);
  }
  const sub = t.subresource ?? '';
  return resourceItemMatches(item, sub ? `${t.resource}/${sub}` : t.resource, sub);
}

function targetLabel(t: Target): string {
  return t.subresource ? `${t.resource}/${t.subresource}` : t.resource;
}

function groupLabel(group: string): string {
  return group === '' ? 'core' : group;
}

interface Match {
  /** Indices of the verb items that grant the risky access. */
  verbIdx: number[];
  targets: Target[];
  /** What the item grants of the risky targets: the item itself when literal, else the targets it includes. */
  covered: string[];
  viaWildcardGroup: boolean;
}

/** Which verb items of the rule grant `t` riskily, given its resourceNames (create/deletecollection carry no name). */
function grantingVerbs(rule: LocatedRule['rule'], t: Target): (verb: string) => boolean {
  const names = rule.resourceNames ?? [];
  const nameless = names.length > 0 && !names.includes('') && !t.subresource;
  const ok = (v: string): boolean => (t.verbs === 'any' || t.verbs.includes(v)) && !(nameless && (v === 'create' || v === 'deletecollection'));
  return (verb: string): boolean => {
    if (verb !== '*') return ok(verb);
    return t.verbs === 'any' || t.verbs.some(ok);
  };
}

function matchResourceItem(risk: ResourceRisk, rule: LocatedRule['rule'], item: string): Match | undefined {
  const groups = rule.apiGroups ?? [];
  const verbs = rule.verbs ?? [];
  const targets: Target[] = [];
  const covered = new Set<string>();
  const verbIdx = new Set<number>();
  let viaWildcardGroup = false;
  for (const t of risk.targets) {
    const literalGroup = groups.includes(t.group);
    if (!literalGroup && !groups.includes('*')) continue;
    if (!resourceMatchesTarget(item, t)) continue;
    const grants = grantingVerbs(rule, t);
    const idx = verbs.flatMap((v, i) => (grants(v) ? [i] : []));
    if (idx.length === 0) continue;
    targets.push(t);
    covered.add(item.includes('*') ? targetLabel(t) : item);
    idx.forEach((i) => verbIdx.add(i));
    if (!literalGroup) viaWildcardGroup = true;
  }
  return targets.length ? { verbIdx: [...verbIdx].sort((a, b) => a - b), targets, covered: [...covered], viaWildcardGroup } : undefined;
}

function itemSpan(located: LocatedRule, field: 'verbs' | 'resources', index: number): Span {
  return located.fields[field]?.items[index] ?? located.fields[field]?.span ?? located.span;
}

function describe(risk: ResourceRisk, located: LocatedRule, resourceItems: string[], m: Match, verbItems: string[]): string {
  const rule = located.rule;
  const covered = m.covered;
  const literal = covered.length === resourceItems.length && covered.every((c) => resourceItems.includes(c));
  const what = literal ? resourceItems.join(', ') : `${resourceItems.join(', ')} (includes ${covered.join(', ')})`;
  const groupList = [...new Set(m.targets.map((t) => groupLabel(t.group)))];
  const groups = groupList.join(', ');
  const where = m.viaWildcardGroup
    ? `apiGroup * (includes ${groups})`
    : groupList.length > 1
      ? `groups ${groups}`
      : groups === 'core'
        ? 'the core group'
        : `group ${groups}`;
  const names = rule.resourceNames?.length ? `; limited to resourceNames ${rule.resourceNames.join(', ')}` : '';
  return `${verbItems.join(', ')} on ${what} in ${where}: ${risk.effect}${names}`;
}

/** Findings of one resource risk over every rule of a Role/ClusterRole. */
export function resourceRiskFindings(obj: RbacObject, risk: ResourceRisk): Finding[] {
  const findings: Finding[] = [];
  const severity = defaultSeverity(risk.id);
  for (const located of obj.rules) {
    const rule = located.rule;
    const resources = rule.resources ?? [];
    const verbs = rule.verbs ?? [];
    const matches = resources.map((r) => matchResourceItem(risk, rule, r));
    if (risk.anchor === 'resource') {
      matches.forEach((m, i) => {
        if (!m) return;
        findings.push({
          ruleId: risk.id,
          severity,
          message: describe(risk, located, [resources[i]!], m, m.verbIdx.map((v) => verbs[v]!)),
          span: itemSpan(located, 'resources', i),
          documentIndex: obj.documentIndex,
          data: { ruleIndex: located.index, field: 'resources', value: resources[i]! },
        });
      });
      continue;
    }
    // Verb-anchored: one finding per risky verb item, naming the resources it applies to.
    const perVerb = new Map<number, number[]>();
    matches.forEach((m, ri) => m?.verbIdx.forEach((vi) => perVerb.set(vi, [...(perVerb.get(vi) ?? []), ri])));
    for (const [vi, ris] of [...perVerb].sort((a, b) => a[0] - b[0])) {
      const merged: Match = {
        verbIdx: [vi],
        targets: ris.flatMap((ri) => matches[ri]!.targets),
        covered: [...new Set(ris.flatMap((ri) => matches[ri]!.covered))],
        viaWildcardGroup: ris.some((ri) => matches[ri]!.viaWildcardGroup),
      };
      findings.push({
        ruleId: risk.id,
        severity,
        message: describe(risk, located, ris.map((ri) => resources[ri]!), merged, [verbs[vi]!]),
        span: itemSpan(located, 'verbs', vi),
        documentIndex: obj.documentIndex,
        data: { ruleIndex: located.index, field: 'verbs', value: verbs[vi]! },
      });
    }
  }
  return findings;
}
