/**
 * Where the cursor is, for completion: which rule field's list it is typing into, and what the rule's other fields
 * already say. Text-based on purpose: while typing, the YAML is often invalid and the parser's view is stale.
 */
export type CompletionField = 'apiGroups' | 'resources' | 'verbs' | 'kind';

export interface CompletionContext {
  field: CompletionField;
  /** What is typed of the current item so far (without quotes). */
  prefix: string;
  /** Offset where the current item starts (for the replace range). */
  itemStart: number;
  /** Does the item already start with a quote? Then insert without adding quotes. */
  quoted: boolean;
  /** The rule's apiGroups/resources as written, where the cursor is in a rule. */
  siblings: { apiGroups: string[]; resources: string[] };
}

const LIST_FIELD = /^(\s*)(?:-\s+)?(apiGroups|resources|verbs)\s*:\s*(\[)?([^\]#]*)$/;
const BLOCK_ITEM = /^(\s*)-\s*(["']?)([^"'#\s]*)$/;
const KIND_LINE = /^\s*kind\s*:\s*(["']?)(\w*)$/;

export function completionContext(text: string, offset: number): CompletionContext | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);

  const kind = KIND_LINE.exec(before);
  if (kind) {
    const prefix = kind[2] ?? '';
    return { field: 'kind', prefix, itemStart: offset - prefix.length - (kind[1] ?? '').length, quoted: !!kind[1], siblings: { apiGroups: [], resources: [] } };
  }

  const inline = LIST_FIELD.exec(before);
  if (inline) {
    const field = inline[2] as CompletionField;
    const typed = inline[3] ? (inline[4] ?? '').split(',').pop()! : (inline[4] ?? '');
    return withItem(text, lineStart, offset, field, typed, indentOf(before));
  }

  const item = BLOCK_ITEM.exec(before);
  if (item) {
    const indent = (item[1] ?? '').length;
    // The list's key is the nearest line above with a smaller indentation (or the same, for `key:\n- item`).
    let end = lineStart - 1;
    while (end > 0) {
      const start = text.lastIndexOf('\n', end - 1) + 1;
      const line = text.slice(start, end);
      if (line.trim() !== '' && !line.trim().startsWith('#')) {
        const m = /^(\s*)(?:-\s+)?(apiGroups|resources|verbs)\s*:\s*$/.exec(line);
        const lineIndent = indentOf(line);
        if (m && lineIndent <= indent) return withItem(text, lineStart, offset, m[2] as CompletionField, `${item[2] ?? ''}${item[3] ?? ''}`, lineIndent);
        if (lineIndent < indent || !/^\s*-/.test(line)) return undefined;
      }
      end = start - 1;
    }
  }
  return undefined;
}

function withItem(text: string, lineStart: number, offset: number, field: CompletionField, typed: string, keyIndent: number): CompletionContext {
  const raw = typed.trimStart();
  const quoted = raw.startsWith('"') || raw.startsWith("'");
  const prefix = quoted ? raw.slice(1) : raw;
  return { field, prefix, itemStart: offset - raw.length, quoted, siblings: ruleSiblings(text, lineStart, keyIndent) };
}

function indentOf(line: string): number {
  const m = /^(\s*)(-\s+)?/.exec(line)!;
  return m[0].length;
}

/** apiGroups/resources of the rule around the cursor: scan the rule's lines (same key indentation) up and down. */
function ruleSiblings(text: string, lineStart: number, keyIndent: number): { apiGroups: string[]; resources: string[] } {
  const lines = text.split('\n');
  const cursorLine = text.slice(0, lineStart).split('\n').length - 1;
  const out = { apiGroups: [] as string[], resources: [] as string[] };
  const inRule = (l: string) => l.trim() === '' || indentOf(l) >= keyIndent;
  let first = cursorLine;
  while (first > 0 && inRule(lines[first - 1]!) && !/^\s*-\s+\w+\s*:/.test(lines[first]!)) first--;
  let last = cursorLine;
  while (last + 1 < lines.length && inRule(lines[last + 1]!) && !/^\s*-\s+\w+\s*:/.test(lines[last + 1]!)) last++;
  let current: 'apiGroups' | 'resources' | undefined;
  for (let i = first; i <= last; i++) {
    const line = lines[i]!;
    const key = /^\s*(?:-\s+)?(\w+)\s*:\s*(.*)$/.exec(line);
    if (key && indentOf(line) === keyIndent) {
      current = key[1] === 'apiGroups' || key[1] === 'resources' ? key[1] : undefined;
      if (current && key[2]) out[current].push(...flowValues(key[2]));
      continue;
    }
    const item = /^\s*-\s*(.*)$/.exec(line);
    if (current && item && i !== cursorLine) out[current].push(unquote(item[1]!.trim()));
  }
  return out;
}

function flowValues(s: string): string[] {
  const m = /^\[([^\]]*)\]?/.exec(s.trim());
  return m ? m[1]!.split(',').map((v) => unquote(v.trim())).filter((v) => v !== '' || /""|''/.test(s)) : [];
}

function unquote(s: string): string {
  return s.replace(/^["']|["']$/g, '');
}
