/**
 * The risk catalogue over one object: resource risks (apiGroup-aware, every rule), wildcards, binding risks and
 * aggregation. Pure; no unused-permission (least privilege lives elsewhere), no syntax/schema/unknown-* findings.
 */
import type { Finding, RbacObject } from '../model';
import { aggregationFindings, bindingRiskFindings } from './bindingRisks';
import { RESOURCE_RISKS, resourceRiskFindings } from './resourceRisks';
import { wildcardFindings } from './wildcards';

export function riskFindings(obj: RbacObject): Finding[] {
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    const findings = wildcardFindings(obj);
    for (const risk of RESOURCE_RISKS) findings.push(...resourceRiskFindings(obj, risk));
    findings.push(...aggregationFindings(obj));
    return findings;
  }
  return bindingRiskFindings(obj);
}
