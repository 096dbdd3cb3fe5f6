/** The verify result as text or JSON, and its exit code (pure). Never holds the token. */
import { escapeStrings } from '../shared/controlChars';
import type { VerifyResult } from './asIdentity';

export function verifyExitCode(r: VerifyResult): number {
  return r.objects.every((o) => o.outcome === 'allowed') && r.needs.every((n) => n.allowed) ? 0 : 1;
}

const LABEL = { allowed: 'allowed', forbidden: 'Forbidden', conflict: 'Conflict (not a permission problem)', invalid: 'Invalid (not a permission problem)', 'not-found': 'Not found', error: 'Error' } as const;

/** Text for a terminal or CI log: names, paths and the apiserver's text come from files and the cluster, so control characters are shown as escapes. */
export function formatVerify(raw: VerifyResult, action: string): string {
  const r = escapeStrings(raw);
  const out: string[] = [`Verified as ${r.identity} (a token valid until ${r.expiresAt}, held in memory only), server-side dry run (dryRun=All):`];
  const home = identityNamespace(r.identity);
  for (const o of r.objects) {
    const where = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (${o.source})`;
    const scope = o.clusterScoped ? ' [cluster-scoped: needs a ClusterRole]' : '';
    // Said first: a Forbidden in another namespace is most often this, not a missing verb.
    const elsewhere = o.otherNamespace && o.outcome === 'forbidden' ? ` [in namespace ${o.namespace}; the identity is in ${home}]` : '';
    out.push(o.outcome === 'allowed' ? `  ok    ${where}${scope}` : `  FAIL  ${where}${scope}${elsewhere}: ${LABEL[o.outcome]}: ${o.message ?? ''}`);
  }
  const denied = r.needs.filter((n) => !n.allowed);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const d of denied) {
    const text = `${d.need.verb} ${d.need.resource}${d.need.group ? `.${d.need.group}` : ''}${d.need.name ? ` "${d.need.name}"` : ''}${d.namespace ? ` in ${d.namespace}` : ''} (for ${d.need.object})`;
    if (!seen.has(text)) lines.push(`  FAIL  ${text}`);
    seen.add(text);
  }
  if (lines.length) out.push(`${action} also sends these requests, which SelfSubjectAccessReview says are denied:`, ...lines);
  const away = [...new Set(r.objects.filter((o) => o.otherNamespace && o.outcome === 'forbidden').map((o) => o.namespace ?? ''))];
  if (away.length) {
    out.push(
      `Denied objects name namespace ${away.join(', ')}, not the identity's namespace ${home}: bind a Role there to the ServiceAccount, or drop metadata.namespace so the deploy puts them in ${home}.`,
    );
  }
  const okObjects = r.objects.filter((o) => o.outcome === 'allowed').length;
  out.push(`${okObjects} of ${r.objects.length} object${r.objects.length === 1 ? '' : 's'} allowed; ${seen.size} other request${seen.size === 1 ? '' : 's'} denied.`);
  return `${out.join('\n')}\n`;
}

export function verifyJson(r: VerifyResult): string {
  return `${JSON.stringify(
    {
      identity: r.identity,
      tokenExpiresAt: r.expiresAt,
      objects: r.objects,
      requests: r.needs.map((n) => ({ verb: n.need.verb, group: n.need.group, resource: n.need.resource, name: n.need.name || undefined, namespace: n.namespace || undefined, for: n.need.object, allowed: n.allowed })),
    },
    null,
    2,
  )}\n`;
}

/** "system:serviceaccount:NS:NAME" -> NS. */
function identityNamespace(identity: string): string {
  return identity.split(':')[2] ?? '';
}
