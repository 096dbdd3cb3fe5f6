/**
 * The risk catalogue over one object: resource risks (apiGroup-aware, every rule), wildcards, CSR approval, binding
 * risks and aggregation. Pure; no unused-permission (least privilege lives elsewhere), no syntax/schema/unknown-*
 * findings. A rule granting everything gets one finding that says so, not one per risk it includes.
 */
import type { Finding, RbacObject } from '../model';
import { RuleFindingsMemo } from '../ruleMemo';
import { aggregationFindings, bindingRiskFindings } from './bindingRisks';
import type { BindingContext } from './clusterScope';
import { csrApproveFindings } from './csrApprove';
import { configMapWriteFindings, nodesWriteFindings } from './objectRisks';
import { resourceRiskFindings } from './resourceRisks';
import { clusterScopedInRoleFindings, risksFor } from './roleScope';
import { isFullWildcard, wildcardFindings } from './wildcards';

/** Wildcards and resource risks look at one rule at a time: memoized per distinct rule. */
const memo = new RuleFindingsMemo();

function ruleRisks(probe: RbacObject): Finding[] {
  const findings = wildcardFindings(probe);
  if (probe.rules.every((r) => isFullWildcard(r.rule))) return findings;
  for (const risk of risksFor(probe.kind)) findings.push(...resourceRiskFindings(probe, risk));
  findings.push(...clusterScopedInRoleFindings(probe));
  return findings;
}

/** `context` lets binding risks look at the role they bind (what only a ClusterRoleBinding can grant). */
export function riskFindings(obj: RbacObject, context: BindingContext = {}): Finding[] {
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    const findings = memo.findings(obj, ruleRisks);
    // CSRs and signers are cluster-scoped: a Role cannot grant either half.
    if (obj.kind === 'ClusterRole') findings.push(...csrApproveFindings(obj));
    findings.push(...nodesWriteFindings(obj), ...configMapWriteFindings(obj));
    findings.push(...aggregationFindings(obj));
    return findings;
  }
  return bindingRiskFindings(obj, context);
}
