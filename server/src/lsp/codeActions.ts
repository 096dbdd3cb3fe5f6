import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisResult } from '../core/engine/analyze';
import { leastPrivilegeFix, roleWithRulesAt } from '../core/engine/fixes/leastPrivilegeFix';
import { quickFixes } from '../core/engine/fixes/quickFixes';
import type { Fix, SpanEdit } from '../core/engine/fixes/textEdit';
import type { NeededPermissions } from '../core/engine/leastPrivilege/needed';
import type { Finding, RbacObject } from '../core/engine/model';
import { SOURCE, toRange } from './diagnostics';

/**
 * Quick fixes for our diagnostics, computed by the engine from the finding behind each diagnostic; with manifests
 * configured (`needed`), also the rewrite of a Role's rules to the least privilege for them.
 */
export function codeActions(doc: TextDocument, result: AnalysisResult, params: CodeActionParams, needed?: NeededPermissions): CodeAction[] {
  const text = doc.getText();
  const actions: CodeAction[] = [];
  const action = (fix: Fix, kind: CodeActionKind, diagnostics?: Diagnostic[]): CodeAction => ({
    title: fix.title,
    kind,
    ...(diagnostics ? { diagnostics } : {}),
    ...(fix.preferred ? { isPreferred: true } : {}),
    edit: { changes: { [doc.uri]: fix.edits.map((e) => toTextEdit(e, result)) } },
  });
  // unused-permission diagnostics per object: one least-privilege fix for the object, not one per diagnostic.
  const unusedByObject = new Map<RbacObject, Diagnostic[]>();
  for (const diag of params.context.diagnostics) {
    if (diag.source !== SOURCE) continue;
    const start = doc.offsetAt(diag.range.start);
    const finding = result.findings.find((f) => f.ruleId === diag.code && f.span.start === start);
    if (!finding) continue;
    const obj = objectAt(result.objects, finding);
    for (const fix of quickFixes(text, finding, obj)) actions.push(action(fix, CodeActionKind.QuickFix, [diag]));
    if (obj && finding.ruleId === 'unused-permission') unusedByObject.set(obj, [...(unusedByObject.get(obj) ?? []), diag]);
  }
  if (needed) {
    for (const [obj, diags] of unusedByObject) {
      const fix = leastPrivilegeFix(text, obj, needed);
      if (fix) actions.push(action(fix, CodeActionKind.QuickFix, diags));
    }
    // Without a diagnostic in reach (the Role may have no unused grant but miss a needed one), offer it as a rewrite.
    const span = { start: doc.offsetAt(params.range.start), end: doc.offsetAt(params.range.end) };
    const role = roleWithRulesAt(result.objects, span);
    const fix = role && !unusedByObject.has(role) ? leastPrivilegeFix(text, role, needed) : undefined;
    if (fix) actions.push(action(fix, CodeActionKind.RefactorRewrite));
  }
  return actions.filter((a) => wanted(a.kind, params.context.only));
}

/** The client may ask for some kinds only (`only: ["refactor"]` matches `refactor.rewrite`). */
function wanted(kind: string | undefined, only: string[] | undefined): boolean {
  return !only || (kind !== undefined && only.some((o) => kind === o || kind.startsWith(`${o}.`)));
}

function objectAt(objects: RbacObject[], f: Finding): RbacObject | undefined {
  return objects.find((o) => o.span.start <= f.span.start && f.span.start <= o.span.end);
}

function toTextEdit(e: SpanEdit, result: AnalysisResult): TextEdit {
  return { range: toRange(e.span, result.lineIndex), newText: e.newText };
}
