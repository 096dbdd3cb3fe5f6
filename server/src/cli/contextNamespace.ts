/**
 * The namespace of the kubeconfig's (current or named) context, read without the Kubernetes client (the check bundle
 * stays small): what `helm template` gets as --namespace when the user gives none, as helm itself would use.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

const MAX_BYTES = 4 * 1024 * 1024;

export function contextNamespace(kubeconfig: string | undefined, context: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const paths = kubeconfig ? [kubeconfig] : env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME || homedir(), '.kube', 'config')];
  let current = context;
  for (const p of paths) {
    try {
      if (!existsSync(p) || statSync(p).size > MAX_BYTES) continue;
      const doc = parse(readFileSync(p, 'utf8'), { maxAliasCount: 10 }) as { 'current-context'?: unknown; contexts?: unknown } | null;
      if (!current && typeof doc?.['current-context'] === 'string' && doc['current-context']) current = doc['current-context'];
      if (!current || !Array.isArray(doc?.contexts)) continue;
      for (const c of doc.contexts as { name?: unknown; context?: { namespace?: unknown } }[]) {
        // The first file to name a context wins, as kubectl merges them.
        if (c?.name === current) return typeof c.context?.namespace === 'string' && c.context.namespace ? c.context.namespace : undefined;
      }
    } catch {
      // an unreadable kubeconfig: no namespace from it (helm would fail on it too)
    }
  }
  return undefined;
}
