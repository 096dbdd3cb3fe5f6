/**
 * The risk catalogue over one object: resource risks (apiGroup-aware, every rule), wildcards, binding risks and
 * aggregation. Pure; no unused-permission (least privilege lives elsewhere), no syntax/schema/unknown-* findings.
 */
import type { Finding, RbacObject } from '../model';
import { RuleFindingsMemo } from '../ruleMemo';
import { aggregationFindings, bindingRiskFindings } from './bindingRisks';
import { RESOURCE_RISKS, resourceRiskFindings } from './resourceRisks';
import { wildcardFindings } from './wildcards';

/** Wildcards and resource risks look at one rule at a time: memoized per distinct rule. */
const memo = new RuleFindingsMemo();

function ruleRisks(probe: RbacObject): Finding[] {
  const findings = wildcardFindings(probe);
  for (const risk of RESOURCE_RISKS) findings.push(...resourceRiskFindings(probe, risk));
  return findings;
}

export function riskFindings(obj: RbacObject): Finding[] {
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    const findings = memo.findings(obj, ruleRisks);
    findings.push(...aggregationFindings(obj));
    return findings;
  }
  return bindingRiskFindings(obj);
}
