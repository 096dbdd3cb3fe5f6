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

const MAX_MESSAGE_LINES = 40;
const MAX_MESSAGE_CHARS = 4000;

/**
 * A tool's error message, whole but bounded: from its `Error:` line on (warnings before it are not the error), every
 * line (a values-schema failure names the failing value on the lines after the first), at most 40 lines and 4,000
 * characters, saying how much was left out.
 */
export function toolMessage(stderr: string, fallback: string): string {
  const all = stderr.split(/\r\n|\r|\n/);
  const from = all.findIndex((l) => l.startsWith('Error: '));
  // helm's hint to rerun with its --debug flag is advice for helm's own command line, not ours.
  const lines = (from >= 0 ? all.slice(from) : all).map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && !/^Use --debug flag\b/.test(l));
  if (lines.length === 0) return fallback;
  lines[0] = lines[0]!.replace(/^Error: /, '');
  let text = lines.slice(0, MAX_MESSAGE_LINES).join('\n');
  if (lines.length > MAX_MESSAGE_LINES) text += `\n(${lines.length - MAX_MESSAGE_LINES} more lines not shown)`;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}... (${text.length - MAX_MESSAGE_CHARS} more characters not shown)` : text;
}
