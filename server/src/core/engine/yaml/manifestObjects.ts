/** Walking the Kubernetes objects of parsed YAML documents (pure): shared by least privilege and verify. */
import type { Document } from 'yaml';

/** An object with string apiVersion and kind: what the apiserver would take as one manifest object. */
export type KubeObject = Record<string, unknown> & { kind: string; apiVersion: string };

/**
 * Calls `visit` for every object of the documents that has a string apiVersion and kind, with the items of
 * a `kind: *List` in its place. Documents with parse errors are skipped, and so is one whose conversion
 * fails (an alias bomb: at most 100 aliases are expanded), keeping the rest. `more` is asked before each
 * value; once it says no, nothing more is visited.
 */
export function forEachManifestObject(docs: Iterable<Document.Parsed>, visit: (o: KubeObject) => void, more: () => boolean = () => true): void {
  const walk = (v: unknown): void => {
    if (!more() || typeof v !== 'object' || v === null || Array.isArray(v)) return;
    const o = v as Record<string, unknown>;
    if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') return;
    if (o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach(walk);
      return;
    }
    visit(o as KubeObject);
  };
  for (const d of docs) {
    if (d.errors.length) continue;
    try {
      walk(d.toJS({ maxAliasCount: 100 }));
    } catch {
      // an alias bomb or similar in one document: skip it, keep the rest
    }
  }
}
