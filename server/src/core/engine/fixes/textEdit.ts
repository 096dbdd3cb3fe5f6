import type { Span } from '../model';

/** A replacement of [span.start, span.end) by newText; the LSP layer turns it into a TextEdit. */
export interface SpanEdit {
  span: Span;
  newText: string;
}

/** A quick fix: a title and the edits that make it, all in the same document. */
export interface Fix {
  title: string;
  edits: SpanEdit[];
  /** The one to apply with "Fix all"/auto-fix when several are offered. */
  preferred?: boolean;
}

export function lineStartOf(text: string, offset: number): number {
  const i = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1));
  return i + 1;
}

export function lineEndOf(text: string, offset: number): number {
  const n = text.indexOf('\n', offset);
  return n < 0 ? text.length : n + 1;
}

export function indentationAt(text: string, offset: number): string {
  const start = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** Is the item part of a flow sequence (`[a, b]`) rather than a block one (`- a`)? */
export function isFlowItem(text: string, itemSpan: Span): boolean {
  const before = text.slice(lineStartOf(text, itemSpan.start), itemSpan.start);
  return !/^\s*-\s*$/.test(before);
}

/** Quotes a scalar for YAML the way people write RBAC lists: `"get"`. */
export function yamlString(value: string): string {
  return JSON.stringify(value);
}
