// Proof that a revoked token is dead: ask the apiserver with it until it answers 401. The apiserver caches a
// successful token authentication for about 10 s, so a revoked token may still work briefly; this waits
// (bounded) instead of guessing. The token is used as a bearer credential only, never printed.
import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { LoadedKubeconfig } from '../live/kubeconfig';

export type ProbeAnswer = 'accepted' | 'refused' | 'error';
export type TokenProbe = (token: string) => Promise<ProbeAnswer>;

export type OldTokenCheck =
  | { readonly state: 'refused'; readonly seconds: number }
  | { readonly state: 'still-accepted'; readonly seconds: number }
  | { readonly state: 'not-checked'; readonly reason: string };

/** A probe against the acting context's API server (its address and CA, the token as the only credential). */
export function apiserverProbe(loaded: LoadedKubeconfig, timeoutMs = 5_000): TokenProbe {
  const cluster = loaded.kc.getCurrentCluster();
  return async (token) => {
    if (!cluster) return 'error';
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'old-token', token }],
      contexts: [{ name: 'old-token', cluster: cluster.name, user: 'old-token' }],
      currentContext: 'old-token',
    });
    const api = kc.makeApiClient(AuthenticationV1Api);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        api.createSelfSubjectReview({ body: {} }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
      ]);
      return 'accepted';
    } catch (err) {
      return (err as { code?: unknown }).code === 401 ? 'refused' : 'error';
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Asks until every token is refused (401) or `timeoutMs` (default 30 s) passed. */
export async function waitUntilRefused(probe: TokenProbe, tokens: readonly string[], o: WaitOptions = {}): Promise<OldTokenCheck> {
  if (!tokens.length) return { state: 'not-checked', reason: 'the old token was not available to this run' };
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = o.timeoutMs ?? 30_000;
  const start = now();
  let pending = [...tokens];
  for (;;) {
    const answers = await Promise.all(pending.map((t) => probe(t)));
    pending = pending.filter((_, i) => answers[i] !== 'refused');
    const seconds = Math.round((now() - start) / 100) / 10;
    if (!pending.length) return { state: 'refused', seconds };
    if (now() - start >= timeoutMs) return { state: 'still-accepted', seconds };
    await sleep(o.intervalMs ?? 1_000);
  }
}

/**
 * The token of a kubeconfig read back from the store, only when it is this ServiceAccount's (its JWT subject),
 * so an unrelated kubeconfig in the same place is never "proven dead".
 */
export function serviceAccountTokenIn(kubeconfig: string | undefined, namespace: string, name: string): string | undefined {
  if (!kubeconfig || kubeconfig.length > 1_000_000) return undefined;
  let doc: unknown;
  try {
    doc = parse(kubeconfig, { maxAliasCount: 10 });
  } catch {
    return undefined;
  }
  const users = (doc as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return undefined;
  for (const u of users) {
    const token = (u as { user?: { token?: unknown } } | null)?.user?.token;
    if (typeof token === 'string' && subjectOf(token) === `system:serviceaccount:${namespace}:${name}`) return token;
  }
  return undefined;
}

function subjectOf(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** One line for summaries: "old token refused after 4.2 s". */
export function describeOldTokenCheck(c: OldTokenCheck): string {
  switch (c.state) {
    case 'refused':
      return `old token refused after ${c.seconds} s`;
    case 'still-accepted':
      return `the old token was NOT refused within ${c.seconds} s (it may still work)`;
    case 'not-checked':
      return `old token not checked: ${c.reason}`;
  }
}
