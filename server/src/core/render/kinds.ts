import { manifestKinds, type ManifestKind } from '../engine/leastPrivilege/needed';
import type { RenderOutcome } from './outcome';

/** The objects a rendered chart or overlay deploys, each with the template or resource file it came from. */
export function renderedKinds(outcome: RenderOutcome): ManifestKind[] {
  if (!outcome.ok) return [];
  const set = outcome.set;
  return set.docs.flatMap((d) => {
    const source = set.map({ start: d.start, end: d.start })?.path ?? set.label;
    return manifestKinds(set.text.slice(d.start, d.end), source);
  });
}
