// Audit trail of every create/export/rotate/revoke: who (the apiserver's answer to "who am I"),
// what, where (context, server, namespace, store) and when. Written as a log line through the
// injected Logger and into the ServiceAccount's annotations; never the token or the kubeconfig.
import { ANNOTATIONS, type Logger, type PipelineInfo, type TokenInfo } from './types';

export type AuditAction = 'create' | 'export' | 'rotate' | 'revoke' | 'rollback';

export interface AuditRecord {
  readonly action: AuditAction;
  /** Username of the acting user (SelfSubjectReview). */
  readonly actor: string;
  /** NAMESPACE/SERVICEACCOUNT */
  readonly identity: string;
  readonly context: string;
  readonly server: string;
  readonly at: string;
  /** store.describe(), when a store was involved. */
  readonly store?: string;
  /** Short facts: token kind and expiry, deleted objects... never secret values. */
  readonly details?: Readonly<Record<string, string>>;
}

/** Who acted on which identity, through which context and when: the part every audit line of a flow shares. */
export function auditSubject(kubeconfig: { readonly context: string; readonly server: string }, actor: string, namespace: string, name: string, at: string): Omit<AuditRecord, 'action' | 'store' | 'details'> {
  return { actor, identity: `${namespace}/${name}`, context: kubeconfig.context, server: kubeconfig.server, at };
}

/** One line, `key="value"` pairs, easy to grep in an output channel or a CI log. */
export function formatAudit(r: AuditRecord): string {
  const pairs: [string, string][] = [
    ['action', r.action],
    ['identity', r.identity],
    ['by', r.actor],
    ['context', r.context],
    ['server', r.server],
    ['at', r.at],
  ];
  if (r.store) pairs.push(['store', r.store]);
  for (const [k, v] of Object.entries(r.details ?? {})) pairs.push([k, v]);
  return `audit: ${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`;
}

export function logAudit(logger: Logger, r: AuditRecord): void {
  logger.info(formatAudit(r));
}

/** "acme/app (environment production)" for the pipeline annotation. */
export function pipelineAnnotation(p: PipelineInfo | undefined): string | undefined {
  if (!p?.repo && !p?.environment) return undefined;
  if (!p.environment) return p.repo;
  return `${p.repo ?? '(unknown repository)'} (environment ${p.environment})`;
}

/** The annotations recorded at creation (created-by/at are kept from an earlier run of the same identity). */
export function creationAnnotations(input: {
  actor: string;
  at: string;
  previous?: Readonly<Record<string, string>>;
  pipeline?: PipelineInfo;
  role: string;
  roleOwned: boolean;
  roleBinding: string;
}): Record<string, string> {
  const prev = input.previous ?? {};
  const pipeline = pipelineAnnotation(input.pipeline) ?? prev[ANNOTATIONS.pipeline];
  return {
    [ANNOTATIONS.createdBy]: prev[ANNOTATIONS.createdBy] ?? input.actor,
    [ANNOTATIONS.createdAt]: prev[ANNOTATIONS.createdAt] ?? input.at,
    ...(pipeline ? { [ANNOTATIONS.pipeline]: pipeline } : {}),
    [ANNOTATIONS.role]: input.role,
    [ANNOTATIONS.roleOwned]: String(input.roleOwned),
    [ANNOTATIONS.roleBinding]: input.roleBinding,
  };
}

/** Only our own annotations (pipeline-rbac.io/...), so an apply never claims anyone else's. */
export function ourAnnotations(all: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all ?? {})) if (k.startsWith('pipeline-rbac.io/')) out[k] = v;
  return out;
}

/** The audit annotations once the token exists: where it was exported, its kind, Secret, expiry and lifetime. */
export function exportedAnnotations(base: Record<string, string>, exportedTo: string, exportTarget: string | undefined, info: TokenInfo): Record<string, string> {
  const annotations: Record<string, string> = {
    ...base,
    [ANNOTATIONS.exportedTo]: exportedTo,
    [ANNOTATIONS.tokenKind]: info.kind,
    [ANNOTATIONS.tokenSecret]: info.secretName,
  };
  if (exportTarget) annotations[ANNOTATIONS.exportTarget] = exportTarget;
  else delete annotations[ANNOTATIONS.exportTarget];
  if (info.expiresAt) annotations[ANNOTATIONS.tokenExpires] = info.expiresAt;
  else delete annotations[ANNOTATIONS.tokenExpires];
  if (info.requestedSeconds) annotations[ANNOTATIONS.tokenDuration] = String(info.requestedSeconds);
  else delete annotations[ANNOTATIONS.tokenDuration];
  return annotations;
}
