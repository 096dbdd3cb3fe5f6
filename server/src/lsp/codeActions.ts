import { CodeActionKind, type CodeAction, type CodeActionParams, type TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisResult } from '../engine/analyze';
import { quickFixes } from '../engine/fixes/quickFixes';
import type { SpanEdit } from '../engine/fixes/textEdit';
import type { Finding, RbacObject } from '../engine/model';
import { SOURCE, toRange } from './diagnostics';

/** Quick fixes for our diagnostics, computed by the engine from the finding behind each diagnostic. */
export function codeActions(doc: TextDocument, result: AnalysisResult, params: CodeActionParams): CodeAction[] {
  const text = doc.getText();
  const actions: CodeAction[] = [];
  for (const diag of params.context.diagnostics) {
    if (diag.source !== SOURCE) continue;
    const start = doc.offsetAt(diag.range.start);
    const finding = result.findings.find((f) => f.ruleId === diag.code && f.span.start === start);
    if (!finding) continue;
    for (const fix of quickFixes(text, finding, objectAt(result.objects, finding))) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diag],
        ...(fix.preferred ? { isPreferred: true } : {}),
        edit: { changes: { [doc.uri]: fix.edits.map((e) => toTextEdit(e, result)) } },
      });
    }
  }
  return actions;
}

function objectAt(objects: RbacObject[], f: Finding): RbacObject | undefined {
  return objects.find((o) => o.span.start <= f.span.start && f.span.start <= o.span.end);
}

function toTextEdit(e: SpanEdit, result: AnalysisResult): TextEdit {
  return { range: toRange(e.span, result.lineIndex), newText: e.newText };
}
