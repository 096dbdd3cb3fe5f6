/** The full manifest objects to dry-run, with the file each came from (pure). */
import { parseAllDocuments } from 'yaml';

export interface ManifestDoc {
  /** The object as the apiserver will get it. */
  value: Record<string, unknown>;
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  source: string;
}

export const MAX_OBJECTS = 500;

/** Every object of a manifest text (also `kind: List` items); documents that are not objects are skipped. */
export function manifestDocs(text: string, source: string): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return out;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const visit = (v: unknown) => {
    if (out.length >= MAX_OBJECTS || typeof v !== 'object' || v === null || Array.isArray(v)) return;
    const o = v as Record<string, unknown>;
    if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') return;
    if (o.kind.endsWith('List') && Array.isArray(o.items)) return o.items.forEach(visit);
    const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
    out.push({ value: o, kind: o.kind, apiVersion: o.apiVersion, name, source, ...(namespace ? { namespace } : {}) });
  };
  for (const d of list) {
    if (d.errors.length) continue;
    try {
      visit(d.toJS({ maxAliasCount: 100 }));
    } catch {
      // an alias bomb in one document: skip it
    }
  }
  return out;
}
