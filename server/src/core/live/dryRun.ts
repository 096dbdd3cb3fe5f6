import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Finding, RbacObject } from '../engine/model';
import { apiPathProblem } from './apiPath';
import { toLiveError, withTimeout } from './liveError';

const FIELD_MANAGER = 'pipeline-rbac';

/**
 * The authoritative check: send each object to the apiserver with dryRun=All, as the editing user. The apiserver
 * runs validation, admission and the RBAC escalation check, persists nothing, and its Forbidden/Invalid message
 * becomes the finding. An object that already exists is checked as an update (server-side apply, dry run).
 */
export async function dryRunFindings(kc: KubeConfig, objects: RbacObject[], defaultNamespace: string, timeoutMs = 10_000): Promise<Finding[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const findings: Finding[] = [];
  for (const obj of objects) {
    if (obj.kind === 'ServiceAccount') continue;
    const spec = objectFor(obj, defaultNamespace);
    const problem = apiPathProblem(spec.apiVersion, spec.kind);
    if (problem) {
      findings.push({ ...findingFor(obj, `${problem}: not sent`, 'invalid'), message: `not sent to the apiserver for the dry run: ${problem}` });
      continue;
    }
    try {
      await withTimeout(createOrApply(api, spec), timeoutMs, `dry-run of ${obj.kind} ${obj.name}`);
    } catch (err) {
      const e = toLiveError(err, `dry-run of ${obj.kind} ${obj.name}`);
      if (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'unauthorized') throw e;
      findings.push(findingFor(obj, e.message, e.kind));
    }
  }
  return findings;
}

async function createOrApply(api: KubernetesObjectApi, spec: KubernetesObject): Promise<void> {
  try {
    await api.create(spec, undefined, 'All', FIELD_MANAGER);
  } catch (err) {
    // AlreadyExists comes after the escalation check passed for a create; what matters now is the update.
    if ((err as { code?: number }).code !== 409) throw err;
    await api.patch(spec, undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }
}

function objectFor(obj: RbacObject, defaultNamespace: string): KubernetesObject {
  const value = structuredClone(obj.value) as KubernetesObject & { metadata?: Record<string, unknown> };
  const namespaced = obj.kind === 'Role' || obj.kind === 'RoleBinding';
  value.metadata = { ...(value.metadata ?? {}) };
  if (namespaced && !value.metadata.namespace) value.metadata.namespace = defaultNamespace;
  // Server-managed fields in a file exported from a cluster would make the dry run fail for the wrong reason.
  for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation']) delete value.metadata[k];
  return value;
}

function findingFor(obj: RbacObject, message: string, kind: string): Finding {
  const binding = obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding';
  const escalation = /attempting to grant RBAC permissions not currently held|cluster-admin privileges to use the aggregationRule/.test(message);
  const ruleId = escalation ? (binding ? 'binding-not-held' : 'not-held') : 'schema';
  return {
    ruleId,
    severity: 'error',
    message: `the apiserver rejected this ${obj.kind} (dry run, ${kind}): ${message}`,
    span: binding && obj.roleRef ? obj.roleRef.span : obj.rulesKeySpan ?? obj.kindSpan,
    documentIndex: obj.documentIndex,
  };
}
