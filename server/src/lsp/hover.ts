import type { Hover, MarkupKind } from 'vscode-languageserver/node';
import type { AnalysisResult, AnalyzeOptions } from '../core/engine/analyze';
import { ruleHoverMarkdown } from '../core/engine/explain/ruleHover';
import { toRange } from './diagnostics';

/** Hover on a rule: what it grants, atom by atom, and whether you hold each. */
export function ruleHover(result: AnalysisResult, offset: number, options: AnalyzeOptions): Hover | null {
  const obj = result.objects.find((o) => o.span.start <= offset && offset <= o.span.end);
  const rule = obj?.rules.find((r) => r.span.start <= offset && offset <= r.span.end);
  if (!obj || !rule) return null;
  const markdown = ruleHoverMarkdown({
    obj,
    rule,
    held: options.held,
    defaultNamespace: options.defaultNamespace ?? 'default',
    catalog: options.catalog,
    findings: result.findings,
  });
  return { contents: { kind: 'markdown' as MarkupKind, value: markdown }, range: toRange(rule.span, result.lineIndex) };
}
