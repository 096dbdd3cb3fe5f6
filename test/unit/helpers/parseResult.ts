/** Test helper: a ParseResult in a comparable form, for the differential tests of the parse paths. */
import type { ParseResult } from '../../../server/src/core/engine/yaml/parse';

/** Span maps compared by content (the cache composes them lazily; the full parse builds plain Maps). */
export function normParse(r: ParseResult): unknown {
  const sorted = (m: ReadonlyMap<string, unknown> | undefined) => (m ? [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : m);
  return { ...r, objects: r.objects.map((o) => ({ ...o, pointerSpans: sorted(o.pointerSpans), keySpans: sorted(o.keySpans) })) };
}
