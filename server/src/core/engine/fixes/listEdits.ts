import type { ListLocation, Span } from '../model';
import { indentationAt, isFlowItem, lineEndOf, lineStartOf, yamlString, type SpanEdit } from './textEdit';

/** Removes item i of a YAML list (flow or block), keeping the list well formed. */
export function removeListItem(text: string, list: ListLocation, i: number): SpanEdit {
  const item = list.items[i]!;
  if (!isFlowItem(text, item)) {
    // Block item: drop its whole line(s), from the line start to the end of the item's last line.
    return { span: { start: lineStartOf(text, item.start), end: lineEndOf(text, item.end) }, newText: '' };
  }
  const next = list.items[i + 1];
  if (next) return { span: { start: item.start, end: next.start }, newText: '' };
  const prev = list.items[i - 1];
  if (prev) return { span: { start: prev.end, end: item.end }, newText: '' };
  return { span: item, newText: '' };
}

/** Removes several items of one list in a single edit (several removeListItem edits could overlap). */
export function removeListItems(text: string, list: ListLocation, indices: number[]): SpanEdit[] {
  const drop = new Set(indices);
  const first = list.items[0];
  if (!first) return [];
  if (!isFlowItem(text, first)) return indices.map((i) => removeListItem(text, list, i));
  const last = list.items[list.items.length - 1]!;
  const kept = list.items.filter((_, i) => !drop.has(i)).map((s) => text.slice(s.start, s.end));
  return [{ span: { start: first.start, end: last.end }, newText: kept.join(', ') }];
}

/** Replaces item i by several values, in the list's own style. */
export function replaceListItem(text: string, list: ListLocation, i: number, values: string[]): SpanEdit {
  const item = list.items[i]!;
  if (isFlowItem(text, item)) return { span: item, newText: values.map(yamlString).join(', ') };
  const dashLine = text.slice(lineStartOf(text, item.start), item.start);
  const prefix = dashLine; // e.g. "      - "
  return { span: item, newText: values.map((v, k) => (k === 0 ? yamlString(v) : `\n${prefix}${yamlString(v)}`)).join('') };
}

/** Inserts a new `key: [values]` field after an existing field of the same mapping. */
export function insertFieldAfter(text: string, after: { keySpan: Span; span: Span }, key: string, values: string[]): SpanEdit {
  const indent = indentationAt(text, after.keySpan.start);
  // A key written as `- resources:` (first key of a rule) is indented past the dash.
  const keyCol = after.keySpan.start - lineStartOf(text, after.keySpan.start);
  const pad = indent.length < keyCol ? ' '.repeat(keyCol) : indent;
  const at = lineEndOf(text, after.span.end);
  const newline = at === text.length && !text.endsWith('\n') ? '\n' : '';
  return { span: { start: at, end: at }, newText: `${newline}${pad}${key}: [${values.map(yamlString).join(', ')}]\n` };
}
