import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { errorText } from '../engine/text/errorText';

export interface KubeconfigChoice {
  /** Explicit path (setting or flag); empty: $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  /** Context name; empty: the current context. */
  context?: string;
  /** False in an untrusted workspace: a user entry that runs a program is refused. */
  trusted: boolean;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  context: string;
  /** The context's namespace, else "default". */
  namespace: string;
  server: string;
  /** Where it was read from (paths only). */
  source: string;
}

/** Why there is no usable kubeconfig: one sentence for the user, without any credential. */
export class KubeconfigError extends Error {
  constructor(
    message: string,
    readonly reason: 'missing' | 'invalid' | 'untrusted-exec',
  ) {
    super(message);
  }
}

/** The kubeconfig paths in the order kubectl uses them. */
export function kubeconfigPaths(explicit?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [explicit];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

export function loadKubeconfig(choice: KubeconfigChoice, env: NodeJS.ProcessEnv = process.env): LoadedKubeconfig {
  const paths = kubeconfigPaths(choice.kubeconfig, env).filter((p) => existsSync(p));
  if (paths.length === 0) {
    const where = kubeconfigPaths(choice.kubeconfig, env).join(', ');
    throw new KubeconfigError(`no kubeconfig found (looked at ${where})`, 'missing');
  }
  const kc = new KubeConfig();
  try {
    for (const [i, p] of paths.entries()) {
      if (i === 0) kc.loadFromFile(p);
      else mergeFirstWins(kc, p);
    }
  } catch (err) {
    throw new KubeconfigError(`kubeconfig ${paths.join(', ')} cannot be read: ${firstLine(err)}`, 'invalid');
  }
  const context = choice.context || kc.getCurrentContext();
  const ctx = kc.getContextObject(context);
  if (!ctx) throw new KubeconfigError(`context "${context}" is not in ${paths.join(', ')}`, 'invalid');
  kc.setCurrentContext(context);
  const user = kc.getCurrentUser();
  if (!choice.trusted && user && (user.exec || user.authProvider)) {
    throw new KubeconfigError(
      `the kubeconfig user of context "${context}" runs a program to get credentials; live checks are off until you trust this workspace`,
      'untrusted-exec',
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`context "${context}" names no cluster`, 'invalid');
  return { kc, context, namespace: ctx.namespace || 'default', server: cluster.server, source: paths.join(delimiter) };
}

/** kubectl's merge of $KUBECONFIG files: the first file to name a cluster, user or context wins (client-node throws). */
function mergeFirstWins(kc: KubeConfig, path: string): void {
  const more = new KubeConfig();
  more.loadFromFile(path);
  const has = (list: { name: string }[], name: string) => list.some((x) => x.name === name);
  for (const c of more.clusters) if (!has(kc.clusters, c.name)) kc.addCluster(c);
  for (const u of more.users) if (!has(kc.users, u.name)) kc.addUser(u);
  for (const c of more.contexts) if (!has(kc.contexts, c.name)) kc.addContext(c);
  if (!kc.currentContext) kc.setCurrentContext(more.currentContext);
}

function firstLine(err: unknown): string {
  return (errorText(err)).split('\n')[0] ?? '';
}
