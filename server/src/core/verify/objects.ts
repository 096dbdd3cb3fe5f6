/** The full manifest objects to dry-run, with the file each came from (pure). */
import { parseAllDocuments } from 'yaml';
import { forEachManifestObject } from '../engine/yaml/manifestObjects';

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
  forEachManifestObject(
    list,
    (o) => {
      const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<string, unknown>;
      const name = typeof meta.name === 'string' ? meta.name : '';
      const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
      out.push({ value: o, kind: o.kind, apiVersion: o.apiVersion, name, source, ...(namespace ? { namespace } : {}) });
    },
    () => out.length < MAX_OBJECTS,
  );
  return out;
}
