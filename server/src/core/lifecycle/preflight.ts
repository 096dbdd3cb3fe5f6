// Pre-verification, as the Welkin guide asks before anything is created: who am I, which
// context/cluster/namespace, and may I do every call the flow (and its rollback) will make.
// Missing rights come back with the fix an admin can apply.
import { stringify } from 'yaml';
import type { Whoami } from '../live/clusterApi';
import type { IdentityCluster } from './kube';
import { RBAC_GROUP, type TokenKind } from './types';

export type Operation = 'create' | 'rotate' | 'revoke';

export interface PreflightCheck {
  readonly verb: string;
  /** API group ('' = core). */
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  /** Why the flow needs it, e.g. "create the ServiceAccount". */
  readonly why: string;
  readonly allowed: boolean;
}

export interface PreflightTarget {
  readonly context: string;
  readonly server: string;
  readonly namespace: string;
}

export interface PreflightReport extends PreflightTarget {
  readonly user: Whoami;
  readonly operation: Operation;
  readonly checks: readonly PreflightCheck[];
  readonly missing: readonly PreflightCheck[];
  readonly ok: boolean;
  /** What to ask an admin for when something is missing: a Role and the command to bind it. */
  readonly fix?: string;
  readonly warnings: readonly string[];
}

export interface PreflightOptions {
  readonly operation: Operation;
  readonly tokenKind?: TokenKind;
  /** False when binding an existing Role: no Role is created or deleted. */
  readonly createsRole?: boolean;
}

type Need = Omit<PreflightCheck, 'allowed'>;

/** The permissions an operation needs, in the order the flow uses them. */
export function requiredPermissions(opts: PreflightOptions): Need[] {
  const sa = (verb: string, why: string): Need => ({ verb, group: '', resource: 'serviceaccounts', why });
  const rbac = (verb: string, resource: 'roles' | 'rolebindings', why: string): Need => ({ verb, group: RBAC_GROUP, resource, why });
  const secrets = (verb: string, why: string): Need => ({ verb, group: '', resource: 'secrets', why });
  const token: Need = { verb: 'create', group: '', resource: 'serviceaccounts', subresource: 'token', why: 'request a token (TokenRequest)' };
  const kind = opts.tokenKind ?? 'request';
  const tokenNeeds =
    kind === 'request'
      ? [secrets('create', 'create the Secret the token is bound to'), token]
      : [secrets('create', 'create the token Secret'), secrets('get', 'read the token the controller writes into the Secret')];
  switch (opts.operation) {
    case 'create': {
      const role = opts.createsRole !== false;
      return [
        sa('get', 'see whether the ServiceAccount exists'),
        sa('create', 'create the ServiceAccount'),
        sa('patch', 'apply the ServiceAccount and its audit annotations (server-side apply)'),
        ...(role
          ? [rbac('get', 'roles', 'see whether the Role exists'), rbac('create', 'roles', 'create the Role'), rbac('patch', 'roles', 'apply the Role (server-side apply)')]
          : []),
        rbac('get', 'rolebindings', 'see whether the RoleBinding exists'),
        rbac('create', 'rolebindings', 'create the RoleBinding'),
        rbac('patch', 'rolebindings', 'apply the RoleBinding (server-side apply)'),
        ...tokenNeeds,
        secrets('delete', 'roll back or revoke the token Secret'),
        rbac('delete', 'rolebindings', 'roll back the RoleBinding on failure'),
        ...(role ? [rbac('delete', 'roles', 'roll back the Role on failure')] : []),
        sa('delete', 'roll back the ServiceAccount on failure'),
      ];
    }
    case 'rotate':
      return [
        sa('get', 'read the identity and its current token Secret'),
        sa('patch', 'record the rotation in the ServiceAccount annotations'),
        ...tokenNeeds,
        secrets('delete', 'revoke the old token (delete its Secret)'),
      ];
    case 'revoke':
      return [
        sa('get', 'read the identity and its token Secrets'),
        secrets('delete', 'revoke the tokens (delete their Secrets)'),
        rbac('delete', 'rolebindings', 'delete the RoleBinding'),
        rbac('delete', 'roles', 'delete the Role this tool created'),
        sa('delete', 'delete the ServiceAccount'),
      ];
  }
}

/** Asks the apiserver (SelfSubjectReview + one SelfSubjectAccessReview per permission). */
export async function preflight(cluster: IdentityCluster, target: PreflightTarget, opts: PreflightOptions): Promise<PreflightReport> {
  const needs = dedupe(requiredPermissions(opts));
  const [user, answers] = await Promise.all([
    cluster.whoami(),
    Promise.all(
      needs.map((n) =>
        cluster.can({ verb: n.verb, group: n.group, resource: n.resource, namespace: target.namespace, ...(n.subresource ? { subresource: n.subresource } : {}) }),
      ),
    ),
  ]);
  const checks = needs.map((n, i) => ({ ...n, allowed: answers[i] === true }));
  const missing = checks.filter((c) => !c.allowed);
  const fix = missing.length ? fixFor(missing, target.namespace, user) : undefined;
  return {
    ...target,
    user,
    operation: opts.operation,
    checks,
    missing,
    ok: missing.length === 0,
    ...(fix ? { fix } : {}),
    warnings: serverWarnings(target.server),
  };
}

/** Same verb+resource needed for two reasons: ask once, keep the first reason. */
function dedupe(needs: Need[]): Need[] {
  const seen = new Set<string>();
  return needs.filter((n) => {
    const k = `${n.verb} ${n.group}/${n.resource}/${n.subresource ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A Role granting exactly what is missing, and how to bind it: what to send to a cluster admin. */
export function fixFor(missing: readonly PreflightCheck[], namespace: string, user: Whoami): string {
  const byResource = new Map<string, { group: string; resource: string; verbs: string[] }>();
  for (const m of missing) {
    const resource = m.subresource ? `${m.resource}/${m.subresource}` : m.resource;
    const key = `${m.group}\u0000${resource}`;
    const entry = byResource.get(key) ?? { group: m.group, resource, verbs: [] };
    if (!entry.verbs.includes(m.verb)) entry.verbs.push(m.verb);
    byResource.set(key, entry);
  }
  const role = {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'Role',
    metadata: { name: 'pipeline-identity-manager', namespace },
    rules: [...byResource.values()].map((e) => ({ apiGroups: [e.group], resources: [e.resource], verbs: e.verbs })),
  };
  const subject = user.username.startsWith('system:serviceaccount:')
    ? `--serviceaccount=${user.username.split(':').slice(2).join(':')}`
    : `--user=${user.username}`;
  return [
    `Ask a cluster admin to grant the missing permissions in namespace ${namespace}, for example:`,
    stringify(role).trimEnd(),
    `kubectl -n ${namespace} create rolebinding pipeline-identity-manager --role=pipeline-identity-manager ${subject}`,
  ].join('\n');
}

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Things about the server URL a pipeline should know: a runner cannot reach the operator's loopback. */
export function serverWarnings(server: string): string[] {
  let host = '';
  try {
    host = new URL(server).hostname;
  } catch {
    return [`The cluster server "${server}" is not a URL.`];
  }
  return LOOPBACK_HOST.test(host)
    ? [`The kubeconfig will point at ${server}, a loopback address a CI runner cannot reach; pass the public API server URL (--server).`]
    : [];
}
