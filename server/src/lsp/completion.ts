import { CompletionItemKind, type CompletionItem } from 'vscode-languageserver/node';
import type { ApiCatalog } from '../core/engine/catalog/apiCatalog';
import { completionContext } from '../core/engine/complete/context';
import { completionCandidates } from '../core/engine/complete/candidates';
import type { LineIndex } from '../core/engine/text/lineIndex';

/** Completion of apiGroups, resources and verbs from discovery (or the built-in catalog), and of RBAC kinds. */
export function completions(text: string, offset: number, lines: LineIndex, catalog: ApiCatalog): CompletionItem[] {
  const ctx = completionContext(text, offset);
  if (!ctx) return [];
  // An editor that auto-closed the quote left it after the cursor: replace it too.
  const closing = ctx.quoted && (text[offset] === '"' || text[offset] === "'") ? 1 : 0;
  const range = { start: lines.positionAt(ctx.itemStart), end: lines.positionAt(offset + closing) };
  return completionCandidates(ctx, catalog).map((c, i) => ({
    label: c.label,
    kind: ctx.field === 'verbs' ? CompletionItemKind.Function : ctx.field === 'kind' ? CompletionItemKind.Class : CompletionItemKind.Value,
    ...(c.detail ? { detail: c.detail } : {}),
    sortText: String(i).padStart(4, '0'),
    filterText: ctx.quoted ? `"${c.value}` : c.value,
    textEdit: { range, newText: ctx.quoted || ctx.field === 'kind' ? (ctx.quoted ? `"${c.value}"` : c.value) : JSON.stringify(c.value) },
  }));
}
