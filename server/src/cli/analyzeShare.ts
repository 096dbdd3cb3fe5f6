/**
 * What the CLI keeps of each file's analysis, and the analysis of a share of the files: plain data in and out, so the
 * same code runs on the main thread and in check workers.
 */
import { analyzeText, type AnalysisResult } from '../core/engine/analyze';
import { builtinCatalog } from '../core/engine/catalog/apiCatalog';
import type { NeededPermissions } from '../core/engine/leastPrivilege/needed';
import { manifestFindingsFor } from '../core/engine/leastPrivilege/manifestFindings';
import type { Finding, PolicyRule } from '../core/engine/model';
import type { HeldPermissions } from '../core/engine/rbac/heldPermissions';
import { withFingerprintKeys } from '../core/engine/findingKey';
import { indexRoles, roleKey } from '../core/engine/roleIndex';
import type { SeverityOverrides } from '../core/engine/severity';

export interface WorkerJob {
  texts: string[];
  /** The files' paths, aligned with texts (a chart's templates/ folder marks Helm templates). */
  paths?: string[];
  held?: HeldPermissions | undefined;
  severities: SeverityOverrides;
  defaultNamespace: string;
  /** What the manifests need (--manifests), for unused-permission and missing-permission. */
  needed?: NeededPermissions | undefined;
  /** Set each finding's fingerprintKey (baseline, Code Quality). */
  keys?: boolean;
}

/** What the CLI keeps of one file's analysis: plain data, so it crosses threads. */
export interface FileResult {
  findings: Finding[];
  objects: { kind: string; name: string; namespace?: string }[];
  /** The file's Roles and ClusterRoles, for bindings in other files. */
  roles: [string, PolicyRule[]][];
  /** Roles its bindings reference that the file does not define (role keys). */
  rolesElsewhere: string[];
}

/** `text`: the analysed text, when the findings get their fingerprint keys (engine/findingKey.ts). */
export function fileResult(r: AnalysisResult, defaultNamespace: string, text?: string): FileResult {
  const own = indexRoles(r.objects, defaultNamespace);
  const rolesElsewhere = new Set<string>();
  for (const o of r.objects) {
    const ref = o.roleRef;
    if ((o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') || !ref || (ref.kind !== 'Role' && ref.kind !== 'ClusterRole')) continue;
    const key = roleKey(ref.kind, ref.name, o.kind === 'RoleBinding' ? (o.namespace ?? defaultNamespace) : '');
    if (!own.has(key)) rolesElsewhere.add(key);
  }
  return {
    findings: text === undefined ? r.findings : withFingerprintKeys(r.findings, r.objects, text),
    objects: r.objects.map((o) => ({ kind: o.kind, name: o.name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}) })),
    roles: [...own],
    rolesElsewhere: [...rolesElsewhere],
  };
}

/** Analyses one share of the files. */
export function analyzeShare(job: WorkerJob): FileResult[] {
  const catalog = builtinCatalog();
  const needed = job.needed;
  return job.texts.map((text, i) => {
    const fileName = job.paths?.[i];
    const r = analyzeText(text, {
      catalog,
      ...(fileName !== undefined ? { fileName } : {}),
      held: job.held,
      severities: job.severities,
      defaultNamespace: job.defaultNamespace,
      ...(needed ? { extraFindings: manifestFindingsFor(needed) } : {}),
    });
    return fileResult(r, job.defaultNamespace, job.keys ? text : undefined);
  });
}
