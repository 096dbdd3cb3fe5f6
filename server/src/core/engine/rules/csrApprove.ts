/**
 * csr-approve: approving a CertificateSigningRequest takes two grants at once (the apiserver's CSR approval strategy):
 * update or patch on `certificatesigningrequests/approval`, and `approve` on `signers` in certificates.k8s.io named
 * by the CSR's signerName or its `<domain>/*` (no resourceNames: every signer). Both in one role: warning. One half
 * alone cannot approve anything: information naming the missing half, and nothing when the half only comes from a
 * wildcard resource (the wildcard finding already says "every resource").
 */
import type { Finding, LocatedRule, RbacObject } from '../model';
import { defaultSeverity } from './catalog';
import { describe, itemSpan, matchResourceItem, type Match } from './resourceRisks';
import type { Target } from './resourceRiskTable';
import { isFullWildcard } from './wildcards';

const CERTS = 'certificates.k8s.io';
const APPROVAL: Target[] = [{ group: CERTS, resource: 'certificatesigningrequests', subresource: 'approval', verbs: ['update', 'patch'] }];
const SIGNERS: Target[] = [{ group: CERTS, resource: 'signers', verbs: ['approve'] }];
/** Signers whose certificates authenticate to the apiserver as any user or group they name. */
const CLIENT_SIGNERS = ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/*'];

interface Half {
  located: LocatedRule;
  item: number;
  m: Match;
}

function halves(obj: RbacObject, targets: Target[]): Half[] {
  const out: Half[] = [];
  for (const located of obj.rules) {
    const groups = located.rule.apiGroups ?? [];
    if (!groups.includes(CERTS) && !groups.includes('*')) continue;
    if (isFullWildcard(located.rule)) continue; // reported once as granting everything
    (located.rule.resources ?? []).forEach((res, item) => {
      const m = matchResourceItem(targets, located.rule, res);
      if (m) out.push({ located, item, m });
    });
  }
  return out;
}

/** Which signers the signer half covers: every signer, or the names listed. */
function signerScope(signers: Half[]): { all: boolean; names: string[] } {
  const names = new Set<string>();
  for (const s of signers) {
    const n = s.located.rule.resourceNames ?? [];
    if (n.length === 0) return { all: true, names: [] };
    n.forEach((x) => names.add(x));
  }
  return { all: false, names: [...names] };
}

export function csrApproveFindings(obj: RbacObject): Finding[] {
  if (obj.kind !== 'Role' && obj.kind !== 'ClusterRole') return [];
  if (!obj.rules.some((r) => (r.rule.apiGroups ?? []).some((g) => g === CERTS || g === '*'))) return [];
  const approval = halves(obj, APPROVAL);
  const signers = halves(obj, SIGNERS);
  if (!approval.length && !signers.length) return [];
  const findings: Finding[] = [];
  const push = (h: Half, severity: Finding['severity'], effect: string): void => {
    const res = h.located.rule.resources![h.item]!;
    findings.push({
      ruleId: 'csr-approve',
      severity,
      message: describe(effect, h.located, [res], h.m, h.m.verbIdx.map((v) => h.located.rule.verbs[v]!)),
      span: itemSpan(h.located, 'resources', h.item),
      documentIndex: obj.documentIndex,
      data: { ruleIndex: h.located.index, field: 'resources', value: res },
    });
  };
  const literal = (h: Half): boolean => !h.located.rule.resources![h.item]!.includes('*');
  if (approval.length && signers.length) {
    const scope = signerScope(signers);
    const client = scope.all || scope.names.some((n) => CLIENT_SIGNERS.includes(n));
    const which = scope.all ? 'every signer' : `signers ${scope.names.join(', ')}`;
    const effect = client
      ? `with approve on ${which}, approves certificate signing requests: kube-apiserver-client certificates for any user or group`
      : `with approve on ${which}, approves certificate signing requests for those signers`;
    for (const h of approval) push(h, defaultSeverity('csr-approve'), effect);
    return findings;
  }
  for (const h of approval.filter(literal)) {
    push(h, 'information', `half of approving a CSR: the apiserver also requires approve on signers (${CERTS}, the signer's name or <domain>/*), which this role does not grant`);
  }
  for (const h of signers.filter(literal)) {
    push(h, 'information', `half of approving a CSR: the apiserver also requires update or patch on certificatesigningrequests/approval (${CERTS}), which this role does not grant`);
  }
  return findings;
}
