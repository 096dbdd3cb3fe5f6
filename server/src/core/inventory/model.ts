/**
 * The identities model: namespaces -> identities -> bindings -> roles -> rules, each carrying the engine's risk
 * findings, plus token health and what could not be read. Pure: a Snapshot (fetch.ts) and the time in, plain JSON out.
 * Every index is built once, so the cost is linear in the number of objects.
 */
import type { Finding } from '../engine/model';
import { applySeverities, type SeverityOverrides } from '../engine/severity';
import { ANNOTATION, BOOTSTRAP_LABEL, IDENTITY_LABEL, isGeneratedOidcUser, isKeylessBinding, isTrue, oidcInfo } from './labels';
import { bindingNodes } from './modelBindings';
import { pushTo, Readability, worst, worstOf } from './modelUtil';
import { tokenFacts, tokenSecretOwner, tokenStates } from './tokens';
import type {
  ApiBinding,
  BindingNode,
  Fact,
  IdentitiesModel,
  IdentityAnnotations,
  IdentityNode,
  IdentityReason,
  Meta,
  NamespaceNode,
  Problem,
  Snapshot,
  TokenSecretMeta,
} from './types';

export { worst } from './modelUtil';

export interface BuildOptions {
  now: Date;
  /** Include unlabelled ServiceAccounts that have a binding or a token Secret ("Show all ServiceAccounts"). */
  allServiceAccounts?: boolean;
  context?: string;
  server?: string;
  user?: string;
  /** The user's per-rule severities (`pipelineRbac.rules`); `off` hides the rule. */
  severities?: SeverityOverrides;
}

const SA_GROUPS_ALL = 'system:serviceaccounts';
const AUTHENTICATED = 'system:authenticated';

/** Bindings that apply to a subject through a group it is always in. Kubernetes' own defaults are left out. */
function groupsOfServiceAccount(namespace: string): string[] {
  return [SA_GROUPS_ALL, `${SA_GROUPS_ALL}:${namespace}`, AUTHENTICATED];
}

function saKey(namespace: string, name: string): string {
  return `ServiceAccount:${namespace}/${name}`;
}

interface SubjectRef {
  binding: ApiBinding;
}

export function buildIdentitiesModel(snap: Snapshot, opts: BuildOptions): IdentitiesModel {
  const started = performance.now();
  const sev = opts.severities ?? {};
  const findingsOf = (f: Finding[]): Finding[] => (Object.keys(sev).length ? applySeverities(f, sev) : f);
  const readable = new Readability(snap.readable);
  const inScope = new Set(snap.namespaces);

  const bindingNode = bindingNodes(snap, readable, findingsOf);

  // ---- subject index over every readable binding.
  const bySubject = new Map<string, SubjectRef[]>();
  const add = (key: string, b: ApiBinding): void => pushTo(bySubject, key, { binding: b });
  const allBindings = [...snap.roleBindings, ...snap.clusterRoleBindings];
  for (const b of allBindings) {
    for (const s of b.subjects ?? []) {
      if (s.kind === 'ServiceAccount') {
        const ns = s.namespace ?? (b.kind === 'RoleBinding' ? b.metadata.namespace : undefined);
        if (ns) add(saKey(ns, s.name), b);
      } else if (s.kind === 'User' || s.kind === 'Group') {
        // Kubernetes' bootstrap bindings (system:basic-user & co.) apply to everyone; they are noise here.
        if (s.kind === 'Group' && b.metadata.labels?.[BOOTSTRAP_LABEL] === 'rbac-defaults') continue;
        add(`${s.kind}:${s.name}`, b);
      }
    }
  }

  // ---- token Secrets by owner.
  const secretsBySa = new Map<string, TokenSecretMeta[]>();
  for (const s of snap.tokenSecrets) {
    const owner = tokenSecretOwner(s);
    if (!owner || !s.metadata.namespace) continue;
    const key = saKey(s.metadata.namespace, owner);
    pushTo(secretsBySa, key, s);
  }

  const problemsByNs = new Map<string, Problem[]>();
  const clusterProblems: Problem[] = [];
  for (const p of snap.problems) {
    if (p.namespace) pushTo(problemsByNs, p.namespace, p);
    else clusterProblems.push(p);
  }

  // ---- ServiceAccount candidates: listed ones, and every one a binding or token Secret names.
  const candidates = new Map<string, Candidate>();
  for (const sa of snap.serviceAccounts) {
    const ns = sa.metadata.namespace ?? '';
    candidates.set(saKey(ns, sa.metadata.name), { namespace: ns, name: sa.metadata.name, meta: sa.metadata });
  }
  for (const key of [...bySubject.keys(), ...secretsBySa.keys()]) {
    if (!key.startsWith('ServiceAccount:') || candidates.has(key)) continue;
    const [ns = '', name = ''] = key.slice('ServiceAccount:'.length).split('/');
    candidates.set(key, { namespace: ns, name });
  }

  const identities: IdentityNode[] = [];
  const all = opts.allServiceAccounts === true;
  for (const [key, c] of candidates) {
    if (!inScope.has(c.namespace)) continue;
    const saListable = readable.can('serviceaccounts', c.namespace);
    const exists = c.meta ? true : saListable ? false : null;
    const labelled = c.meta ? isTrue(c.meta.labels?.[IDENTITY_LABEL]) : saListable ? false : null;
    const direct = bySubject.get(key) ?? [];
    const secrets = secretsBySa.get(key) ?? [];
    const reasons: IdentityReason[] = [];
    if (labelled) reasons.push('labelled');
    if (direct.length) reasons.push('binding');
    if (secrets.length) reasons.push('token-secret');
    // Shown: pipeline identities; with "all", anything bound or holding a token; and, always, subjects whose
    // namespace cannot be read (they may be ours, and they hold rights the user can see).
    const show = labelled === true || (all && reasons.length > 0) || (exists === null && direct.length > 0);
    if (!show) continue;

    const bindings: BindingNode[] = direct.map((r) => bindingNode(r.binding, 'direct'));
    for (const g of groupsOfServiceAccount(c.namespace)) {
      for (const r of bySubject.get(`Group:${g}`) ?? []) bindings.push(bindingNode(r.binding, 'group', g));
    }
    const meta = c.meta ?? { name: c.name, namespace: c.namespace };
    const tokens = tokenStates(meta, secrets, opts.now);
    const facts = tokenFacts(tokens);
    facts.push(...serviceAccountFacts(c, { exists, labelled, direct, tokens: tokens.length, bindings: bindings.length, readable }));
    identities.push(finishIdentity({
      id: key,
      kind: 'ServiceAccount',
      name: c.name,
      namespace: c.namespace,
      reasons,
      exists,
      labelled,
      ...(c.meta?.creationTimestamp ? { createdAt: c.meta.creationTimestamp } : {}),
      annotations: annotationsOf(c.meta),
      tokens,
      bindings,
      facts,
      flags: { expiringSoon: tokens.some((t) => t.expiringSoon), expired: tokens.some((t) => t.expired), unused: tokens.some((t) => t.unused) },
    }));
  }

  // ---- keyless identities (their own nodes under the binding's namespace, or cluster-wide).
  const keyless = keylessIdentities(allBindings, bySubject, inScope, bindingNode);
  identities.push(...keyless.namespaced);
  const clusterIdentities = keyless.clusterWide;

  const byNs = new Map<string, IdentityNode[]>();
  for (const i of identities) pushTo(byNs, i.namespace ?? '', i);
  const namespaces: NamespaceNode[] = snap.namespaces.map((name) => ({
    name,
    identities: (byNs.get(name) ?? []).sort(compareIdentities),
    problems: problemsByNs.get(name) ?? [],
    readable: readable.can('serviceaccounts', name),
  }));

  const buildMs = performance.now() - started;
  return {
    context: opts.context ?? '',
    server: opts.server ?? '',
    ...(opts.user ? { user: opts.user } : {}),
    generatedAt: opts.now.toISOString(),
    scope: snap.clusterWide ? 'cluster' : 'namespaces',
    allServiceAccounts: all,
    namespaces,
    cluster: clusterIdentities.sort(compareIdentities),
    problems: clusterProblems,
    stats: { ...snap.stats, buildMs: Math.round(buildMs * 10) / 10, identities: identities.length + clusterIdentities.length },
  };
}


interface Candidate {
  namespace: string;
  name: string;
  meta?: Meta;
}

/** What is worth a line about a ServiceAccount: missing or unreadable, its lists not readable, no token, no bindings. */
function serviceAccountFacts(
  c: Candidate,
  { exists, labelled, direct, tokens, bindings, readable }: { exists: boolean | null; labelled: boolean | null; direct: readonly SubjectRef[]; tokens: number; bindings: number; readable: Readability },
): Fact[] {
  const facts: Fact[] = [];
  if (exists === false) {
    const by = direct.map((r) => `${r.binding.kind} "${r.binding.metadata.name}"`).join(', ');
    // Kubernetes' own controller bindings name ServiceAccounts that exist only with --use-service-account-credentials.
    const bootstrapOnly = direct.length > 0 && direct.every((r) => r.binding.metadata.labels?.[BOOTSTRAP_LABEL] === 'rbac-defaults');
    facts.push({ id: 'service-account-missing', severity: bootstrapOnly ? 'hint' : 'warning', message: `ServiceAccount ${c.namespace}/${c.name} does not exist but ${by || 'a token Secret'} names it: whoever creates it gets these rights` });
  } else if (exists === null) {
    facts.push({ id: 'not-readable', severity: 'information', message: `you may not list ServiceAccounts in namespace ${c.namespace}: whether it exists and is a pipeline identity is unknown` });
  }
  if (!readable.can('rolebindings', c.namespace)) {
    facts.push({ id: 'not-readable', severity: 'information', message: `you may not list RoleBindings in namespace ${c.namespace}: bindings there are not shown` });
  }
  if (!readable.can('secrets', c.namespace) && exists !== false) {
    facts.push({ id: 'not-readable', severity: 'hint', message: `you may not list Secrets in namespace ${c.namespace}: token state comes from the ServiceAccount's annotations only` });
  }
  if (labelled && tokens === 0) facts.push({ id: 'no-token', severity: 'hint', message: 'no token known for this identity' });
  if (labelled && bindings === 0 && readable.can('rolebindings', c.namespace)) {
    facts.push({ id: 'no-bindings', severity: 'information', message: 'no RoleBinding or ClusterRoleBinding you can see grants this identity anything' });
  }
  return facts;
}

/**
 * Keyless identities: User/Group subjects of our keyless bindings (or Users named with the generated prefix and
 * subject shape, however the binding was applied), under the binding's namespace; cluster-wide ones apart.
 */
function keylessIdentities(
  allBindings: readonly ApiBinding[],
  bySubject: ReadonlyMap<string, SubjectRef[]>,
  inScope: ReadonlySet<string>,
  bindingNode: (b: ApiBinding, via: BindingNode['via'], group?: string) => BindingNode,
): { namespaced: IdentityNode[]; clusterWide: IdentityNode[] } {
  const namespaced: IdentityNode[] = [];
  const clusterWide: IdentityNode[] = [];
  const seenKeyless = new Set<string>();
  for (const b of allBindings) {
    const annotated = isKeylessBinding(b.metadata);
    if (!annotated && !(b.subjects ?? []).some(isGeneratedOidcUser)) continue;
    const ns = b.kind === 'RoleBinding' ? b.metadata.namespace : undefined;
    if (ns !== undefined && !inScope.has(ns)) continue;
    for (const s of b.subjects ?? []) {
      if (s.kind !== 'User' && s.kind !== 'Group') continue;
      if (!annotated && !isGeneratedOidcUser(s)) continue;
      const oidc = oidcInfo(b.metadata, s);
      const kind: 'User' | 'Group' = s.kind;
      const id = `${s.kind}:${ns ?? ''}/${s.name}`;
      if (seenKeyless.has(id)) continue;
      seenKeyless.add(id);
      const bindings = (bySubject.get(`${s.kind}:${s.name}`) ?? []).map((r) => bindingNode(r.binding, 'direct'));
      if (s.kind === 'User') for (const r of bySubject.get(`Group:${AUTHENTICATED}`) ?? []) bindings.push(bindingNode(r.binding, 'group', AUTHENTICATED));
      const node = finishIdentity({
        id,
        kind,
        name: s.name,
        ...(ns ? { namespace: ns } : {}),
        reasons: ['keyless-binding'],
        exists: null,
        labelled: null,
        annotations: annotationsOf(b.metadata),
        tokens: [],
        ...(oidc ? { oidc } : {}),
        bindings,
        facts: [],
        flags: { expiringSoon: false, expired: false, unused: false },
      });
      if (ns) namespaced.push(node);
      else clusterWide.push(node);
    }
  }
  return { namespaced, clusterWide };
}

function finishIdentity(node: IdentityNode): IdentityNode {
  const s = worst(worstOf(node.facts), worstOf(node.bindings));
  if (s) node.severity = s;
  return node;
}

function compareIdentities(a: IdentityNode, b: IdentityNode): number {
  return a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name);
}

const ANNOTATION_ENTRIES = Object.entries(ANNOTATION) as [keyof IdentityAnnotations, string][];

function annotationsOf(meta: Meta | undefined): IdentityAnnotations {
  const out: IdentityAnnotations = {};
  const a = meta?.annotations;
  if (!a) return out;
  for (const [k, name] of ANNOTATION_ENTRIES) {
    const v = a[name];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
