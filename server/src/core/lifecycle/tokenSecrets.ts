// Which Secrets provably hold (or revoke) a pipeline identity's token. The ServiceAccount's token-secret
// annotation is only a claim: anyone who may patch ServiceAccounts can point it at any Secret of the
// namespace. A Secret is deleted only when the apiserver's own object proves it is this identity's token:
//  - a kubernetes.io/service-account-token Secret whose kubernetes.io/service-account.name is the
//    ServiceAccount (and whose .uid, when set, is the ServiceAccount's uid), or
//  - a bound-token Secret this tool created: our owner label and an ownerReference to the ServiceAccount's uid,
// or, when the acting user may not read Secrets, when this machine's own record names its uid (the delete then
// carries that uid as a precondition, so the apiserver refuses any other object of that name).
import type { V1Secret } from '@kubernetes/client-node';
import type { IdentityCluster } from './kube';
import { OWNER_LABEL } from './types';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export interface ServiceAccountId {
  readonly name: string;
  /** Absent when the ServiceAccount no longer exists: then only a recorded uid proves anything. */
  readonly uid?: string;
}

/** Why a Secret is (not) this identity's token; pure, so the rule is unit-tested. */
export function tokenSecretProof(secret: V1Secret, sa: ServiceAccountId): { ok: true } | { ok: false; reason: string } {
  const md = secret.metadata ?? {};
  if (secret.type === SA_TOKEN_TYPE) {
    const owner = md.annotations?.[SA_NAME_ANNOTATION];
    if (owner !== sa.name) return { ok: false, reason: `it is the token Secret of ${owner ? `ServiceAccount ${owner}` : 'no ServiceAccount'}` };
    const uid = md.annotations?.[SA_UID_ANNOTATION];
    if (uid && sa.uid && uid !== sa.uid) return { ok: false, reason: 'it belongs to an earlier ServiceAccount of the same name (another uid)' };
    return { ok: true };
  }
  if (md.labels?.[OWNER_LABEL] !== sa.name) return { ok: false, reason: `it is a ${secret.type ?? 'Opaque'} Secret without the label ${OWNER_LABEL}=${sa.name}` };
  if (!sa.uid) return { ok: false, reason: 'the ServiceAccount is gone, so its ownership cannot be checked' };
  const owned = (md.ownerReferences ?? []).some((r) => r.kind === 'ServiceAccount' && r.apiVersion === 'v1' && r.name === sa.name && r.uid === sa.uid);
  if (!owned) return { ok: false, reason: 'it has no ownerReference to this ServiceAccount' };
  return { ok: true };
}

export interface TokenSecretCandidate {
  readonly name: string;
  readonly uid: string;
  /** The token held in a service-account-token Secret (so the caller can check it is refused afterwards). */
  readonly token?: string;
  /** How it was proven: read from the apiserver, or this machine's record (uid precondition). */
  readonly by: 'cluster' | 'record';
}

export interface TokenSecretSearch {
  readonly proven: readonly TokenSecretCandidate[];
  /** Secrets named somewhere (the annotation) that were left alone, with why. */
  readonly refused: readonly { readonly name: string; readonly reason: string }[];
}

export interface SearchInput {
  readonly namespace: string;
  readonly serviceAccount: ServiceAccountId;
  /** The annotation's claim (cluster text): checked, never trusted. */
  readonly claimed?: string;
  /** This machine's record of the token Secret it created last. */
  readonly recorded?: { readonly name: string; readonly uid: string };
  /** The Secret just minted (rotate): never a candidate. */
  readonly exclude?: string;
}

function errorKind(err: unknown): string | undefined {
  return (err as { kind?: string } | undefined)?.kind;
}

function tokenOf(s: V1Secret): string | undefined {
  const data = s.type === SA_TOKEN_TYPE ? s.data?.['token'] : undefined;
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

/**
 * Every Secret that provably is the identity's token: those listed by our owner label (when the user may
 * list Secrets), the one the annotation names and the one this machine recorded, each checked.
 */
export async function findTokenSecrets(cluster: IdentityCluster, input: SearchInput): Promise<TokenSecretSearch> {
  const { namespace, serviceAccount: sa } = input;
  const proven = new Map<string, TokenSecretCandidate>();
  const refused: { name: string; reason: string }[] = [];
  const consider = (s: V1Secret, by: 'cluster') => {
    const name = s.metadata?.name ?? '';
    const uid = s.metadata?.uid;
    if (!name || !uid || name === input.exclude || proven.has(name)) return;
    const proof = tokenSecretProof(s, sa);
    if (proof.ok) {
      const token = tokenOf(s);
      proven.set(name, { name, uid, by, ...(token ? { token } : {}) });
    } else if (name === input.claimed) refused.push({ name, reason: proof.reason });
  };

  try {
    for (const s of await cluster.listSecrets(namespace, `${OWNER_LABEL}=${sa.name}`)) consider(s, 'cluster');
  } catch (err) {
    if (errorKind(err) !== 'forbidden') throw err;
  }

  const named = new Set<string>();
  if (input.claimed && input.claimed !== input.exclude) named.add(input.claimed);
  if (input.recorded && input.recorded.name !== input.exclude) named.add(input.recorded.name);
  for (const name of named) {
    if (proven.has(name) || refused.some((r) => r.name === name)) continue;
    let secret: V1Secret | undefined;
    let readable = true;
    try {
      secret = await cluster.readSecret(namespace, name);
    } catch (err) {
      if (errorKind(err) !== 'forbidden') throw err;
      readable = false;
    }
    const recorded = input.recorded?.name === name ? input.recorded : undefined;
    if (readable) {
      if (!secret?.metadata?.uid) continue; // already gone
      const proof = tokenSecretProof(secret, sa);
      if (proof.ok) consider(secret, 'cluster');
      // The very object this machine created (same uid), e.g. after its ServiceAccount is gone.
      else if (recorded && secret.metadata.uid === recorded.uid) proven.set(name, { name, uid: recorded.uid, by: 'record' });
      else if (name === input.claimed) refused.push({ name, reason: proof.reason });
      continue;
    }
    if (recorded) proven.set(name, { name, uid: recorded.uid, by: 'record' });
    else refused.push({ name, reason: "you may not read it to check that it is this identity's token, and this machine has no record of creating it" });
  }
  return { proven: [...proven.values()], refused };
}

export interface RevokeOutcome {
  /** "Secret NS/NAME" of each deleted token Secret. */
  readonly deleted: readonly string[];
  /** Tokens read from deleted service-account-token Secrets (to check they are refused); never printed. */
  readonly tokens: readonly string[];
  /** Could not be deleted: what and why (the token it holds still works). */
  readonly failed: readonly string[];
  readonly refused: TokenSecretSearch['refused'];
}

/** Finds (as above) and deletes each proven token Secret with its uid as a precondition; never throws for one Secret. */
export async function revokeTokenSecrets(cluster: IdentityCluster, input: SearchInput, describeError: (err: unknown) => string): Promise<RevokeOutcome> {
  const search = await findTokenSecrets(cluster, input);
  const deleted: string[] = [];
  const tokens: string[] = [];
  const failed: string[] = [];
  const refused = [...search.refused];
  for (const c of search.proven) {
    const what = `Secret ${input.namespace}/${c.name}`;
    try {
      if (await cluster.delete({ kind: 'Secret', namespace: input.namespace, name: c.name }, { uid: c.uid })) {
        deleted.push(what);
        if (c.token) tokens.push(c.token);
      }
    } catch (err) {
      if (errorKind(err) === 'conflict' && c.by === 'record') refused.push({ name: c.name, reason: 'another Secret of that name replaced the one this machine created (uid differs)' });
      else failed.push(`${what}: ${describeError(err)}`);
    }
  }
  return { deleted, tokens, failed, refused };
}
