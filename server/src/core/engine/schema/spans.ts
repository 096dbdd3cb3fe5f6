import type { RbacObject, Span } from '../model';

/** The first key (in source order) of the mapping at JSON pointer `ptr`: where to report a field it lacks. */
export function firstKeySpan(obj: RbacObject, ptr: string): Span | undefined {
  let best: Span | undefined;
  const prefix = `${ptr}/`;
  for (const [p, s] of obj.keySpans ?? []) {
    if (!p.startsWith(prefix) || p.indexOf('/', prefix.length) >= 0) continue;
    if (!best || s.start < best.start) best = s;
  }
  return best;
}
