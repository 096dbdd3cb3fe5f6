/**
 * The labels and annotations the identities view reads. pipeline-rbac's own names come from the identity flow
 * (server/src/core/lifecycle/types.ts), so writer and reader cannot drift apart; Kubernetes' names are here.
 */
import { OIDC_ANNOTATIONS } from '../lifecycle/oidc';
import { ANNOTATIONS, IDENTITY_LABEL, MANAGED_BY, MANAGED_BY_LABEL, OWNER_LABEL } from '../lifecycle/types';

export { IDENTITY_LABEL, MANAGED_BY, MANAGED_BY_LABEL, OWNER_LABEL };

export const PREFIX = 'pipeline-rbac.io/';

/** ServiceAccount annotations shown on an identity (audit facts, never a secret). */
export const ANNOTATION = {
  createdBy: ANNOTATIONS.createdBy,
  createdAt: ANNOTATIONS.createdAt,
  pipeline: ANNOTATIONS.pipeline,
  exportedTo: ANNOTATIONS.exportedTo,
  /** CLI form of the export target (`github:o/r:NAME`): shown as a hint; rotate and revoke never take it from here. */
  exportTarget: ANNOTATIONS.exportTarget,
  /** "request" (TokenRequest bound to a Secret) or "secret" (legacy service-account-token Secret). */
  tokenKind: ANNOTATIONS.tokenKind,
  /** expirationTimestamp the apiserver returned for the current TokenRequest token. */
  tokenExpires: ANNOTATIONS.tokenExpires,
  /** The Secret the current token is bound to (or the legacy token Secret). */
  tokenSecret: ANNOTATIONS.tokenSecret,
  lastRotated: ANNOTATIONS.lastRotated,
} as const;

/** On a keyless RoleBinding/ClusterRoleBinding: the CI OIDC `sub` it binds, and the issuer it was made for. */
export const OIDC_SUBJECT_ANNOTATION = OIDC_ANNOTATIONS.subject;
export const OIDC_ISSUER_ANNOTATION = OIDC_ANNOTATIONS.issuer;

/**
 * A User the generator names: its default prefix ("github:", "gitlab:") before a provider's default subject
 * ("repo:...", "project_path:..."), so keyless bindings applied by other means (GitOps) are recognised too.
 */
const GENERATED_OIDC_USER = /^(github:repo:|gitlab:project_path:)/;

export function isGeneratedOidcUser(subject: { kind: string; name: string }): boolean {
  return subject.kind === 'User' && GENERATED_OIDC_USER.test(subject.name);
}

/** The OIDC subject and issuer of a keyless identity: recorded annotations first, else read off the user name. */
export function oidcInfo(meta: { annotations?: Record<string, string> }, subject: { kind: string; name: string }): { subject: string; issuer?: string } | undefined {
  const recorded = meta.annotations?.[OIDC_SUBJECT_ANNOTATION];
  const issuer = meta.annotations?.[OIDC_ISSUER_ANNOTATION];
  const sub = recorded ?? (isGeneratedOidcUser(subject) ? subject.name.slice(subject.name.indexOf(':') + 1) : undefined);
  return sub === undefined ? undefined : { subject: sub, ...(issuer ? { issuer } : {}) };
}

/** Kubernetes' own names. */
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const LEGACY_TOKEN_LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';
export const SA_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

/** Token kinds as the annotation spells them ("request" | "secret"), in the model's names. */
export function tokenKindFromAnnotation(value: string | undefined): 'token-request' | 'legacy-secret' | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase();
  if (v === 'request' || v === 'tokenrequest' || v === 'token-request') return 'token-request';
  if (v === 'secret' || v === 'legacy' || v === 'legacy-secret') return 'legacy-secret';
  return undefined;
}

export function isTrue(value: string | undefined): boolean {
  return value === 'true';
}

/** A binding the keyless flow wrote: its User/Group subjects are pipeline identities. */
export function isKeylessBinding(meta: { labels?: Record<string, string>; annotations?: Record<string, string> }): boolean {
  return meta.annotations?.[OIDC_SUBJECT_ANNOTATION] !== undefined || isTrue(meta.labels?.[IDENTITY_LABEL]);
}

/** Made by pipeline-rbac (app.kubernetes.io/managed-by=pipeline-rbac, or our identity label). */
export function isOurs(meta: { labels?: Record<string, string> }): boolean {
  return meta.labels?.[MANAGED_BY_LABEL] === MANAGED_BY || isTrue(meta.labels?.[IDENTITY_LABEL]);
}
