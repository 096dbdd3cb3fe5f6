/**
 * The permissions a deploying pipeline needs, derived from the manifests it applies: each kind in them
 * needs the deploy verbs on its resource, and nothing else (the seeds: "if your application only consists of a
 * Deployment, Service and Ingress, those should be the only resources available to the Role").
 */
import type { Document } from 'yaml';
import { composeDocuments } from '../yaml/tokens';
import { forEachManifestObject } from '../yaml/manifestObjects';
import { deployerNeeds, type Deployer, type ManifestObject, type RequiredPermission, type ScopeResolver } from '../deployer/needs';
import type { PolicyRule } from '../model';

export type ManifestKind = ManifestObject;

export interface NeededResource {
  group: string;
  resource: string;
  kinds: string[];
  sources: string[];
}

export interface NeededPermissions {
  /** Keyed "group/resource" (core group ""). */
  resources: Map<string, NeededResource>;
  verbs: string[];
  /** Namespaces the manifests name explicitly. */
  namespaces: string[];
  /** What the deploy tool needs, per object (missing-permission); absent when no deployer was given. */
  required?: RequiredPermission[];
}

/** (group, kind) -> plural resource name; undefined when the kind is unknown. */
export type KindResolver = (group: string, kind: string) => string | undefined;

const MAX_DOCS_PER_FILE = 5000;

/** Reads apiVersion/kind/namespace from every document of a manifest file (also `kind: List` items). Never throws. */
export function manifestKinds(text: string, source: string): ManifestKind[] {
  const out: ManifestKind[] = [];
  let docs: Document.Parsed[];
  try {
    // Nesting refused while reading (a workspace file may be hostile); YAML 1.1 like kubectl.
    docs = composeDocuments(text);
  } catch {
    return out;
  }
  const list = docs.slice(0, MAX_DOCS_PER_FILE);
  forEachManifestObject(list, (o) => {
    const meta = o.metadata as Record<string, unknown> | undefined;
    const namespace = typeof meta?.namespace === 'string' ? meta.namespace : undefined;
    const name = typeof meta?.name === 'string' ? meta.name : typeof meta?.generateName === 'string' ? `${meta.generateName}*` : '(unnamed)';
    const rbac = rbacParts(o);
    out.push({ apiVersion: o.apiVersion, kind: o.kind, name, source, ...(namespace ? { namespace } : {}), ...rbac });
  });
  return out;
}

/** The rules of a Role/ClusterRole and the roleRef of a binding, when well-formed (else nothing is assumed). */
function rbacParts(o: Record<string, unknown>): Pick<ManifestObject, 'rules' | 'roleRef'> {
  if (!String(o.apiVersion).startsWith('rbac.authorization.k8s.io/')) return {};
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  if ((o.kind === 'Role' || o.kind === 'ClusterRole') && Array.isArray(o.rules)) {
    const rules: PolicyRule[] = [];
    for (const r of o.rules as unknown[]) {
      if (typeof r !== 'object' || r === null) continue;
      const x = r as Record<string, unknown>;
      const verbs = strings(x.verbs);
      if (!verbs) continue;
      const rule: PolicyRule = { verbs };
      for (const f of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
        const v = strings(x[f]);
        if (v) rule[f] = v;
      }
      rules.push(rule);
    }
    return { rules };
  }
  const ref = o.roleRef as Record<string, unknown> | undefined;
  if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && typeof ref?.kind === 'string' && typeof ref.name === 'string') {
    return { roleRef: { kind: ref.kind, name: ref.name } };
  }
  return {};
}

export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Kubernetes' own fallback pluralisation (meta.UnsafeGuessKindToResource), for kinds no catalog knows. */
export function guessResource(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === '') return lower;
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export function neededPermissions(kinds: ManifestKind[], resolve: KindResolver, verbs: string[], deployer?: Deployer, namespaced?: ScopeResolver): NeededPermissions {
  const resources = new Map<string, NeededResource>();
  const namespaces = new Set<string>();
  for (const k of kinds) {
    const group = groupOf(k.apiVersion);
    const resource = resolve(group, k.kind) ?? guessResource(k.kind);
    const key = `${group}/${resource}`;
    const entry = resources.get(key) ?? { group, resource, kinds: [], sources: [] };
    if (!entry.kinds.includes(k.kind)) entry.kinds.push(k.kind);
    if (!entry.sources.includes(k.source)) entry.sources.push(k.source);
    resources.set(key, entry);
    if (k.namespace) namespaces.add(k.namespace);
  }
  const out: NeededPermissions = { resources, verbs: [...verbs], namespaces: [...namespaces].sort() };
  if (deployer) out.required = deployerNeeds(kinds, deployer, resolve, namespaced);
  return out;
}
