/**
 * The permissions a deploying pipeline needs, derived from the manifests it applies: each kind in them
 * needs the deploy verbs on its resource, and nothing else (the seeds: "if your application only consists of a
 * Deployment, Service and Ingress, those should be the only resources available to the Role").
 */
import type { Document } from 'yaml';
import { composeDocuments } from '../yaml/tokens';

export interface ManifestKind {
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** Where it was found, for messages ("deploy/web.yaml"). */
  source: string;
}

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
  const visit = (v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
    const o = v as Record<string, unknown>;
    if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') return;
    if (o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach(visit);
      return;
    }
    const meta = o.metadata as Record<string, unknown> | undefined;
    const namespace = typeof meta?.namespace === 'string' ? meta.namespace : undefined;
    out.push({ apiVersion: o.apiVersion, kind: o.kind, source, ...(namespace ? { namespace } : {}) });
  };
  for (const d of list) {
    if (d.errors.length) continue;
    try {
      visit(d.toJS({ maxAliasCount: 100 }));
    } catch {
      // an alias bomb or similar in one document: skip it, keep the rest
    }
  }
  return out;
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

export function neededPermissions(kinds: ManifestKind[], resolve: KindResolver, verbs: string[]): NeededPermissions {
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
  return { resources, verbs: [...verbs], namespaces: [...namespaces].sort() };
}
