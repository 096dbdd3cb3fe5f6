import type { Span } from '../engine/model';
import type { RenderedSet } from './map/sourceMap';

/** A render that failed, told at the failing source line where the tool names it. */
export interface RenderFailure {
  path: string;
  text: string;
  span: Span;
  message: string;
}

export type RenderOutcome = { ok: true; set: RenderedSet } | { ok: false; error: RenderFailure };
