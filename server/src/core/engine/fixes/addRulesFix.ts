/**
 * Quick fix of `missing-permission`: append exactly the missing rules to the Role's `rules`, in the file's style
 * (indentation, flow or block lists, quoting as the last rule is written). Other bytes stay as they are.
 */
import type { Finding, PolicyRule, RbacObject } from '../model';
import { replaceRulesEdit } from './rulesText';
import { lineStartOf, type Fix, type SpanEdit } from './textEdit';

const FIELD_ORDER = ['apiGroups', 'resources', 'resourceNames', 'verbs'] as const;

export function addMissingRulesFix(text: string, finding: Finding, obj: RbacObject | undefined): Fix | undefined {
  const missing = finding.data?.missing;
  if (finding.ruleId !== 'missing-permission' || !missing?.length || !obj || (obj.kind !== 'Role' && obj.kind !== 'ClusterRole')) return undefined;
  const edit = appendRulesEdit(text, obj, missing);
  if (!edit) return undefined;
  const what = missing.map((r) => `${r.verbs.join(', ')} ${(r.resources ?? []).join(', ')}`).join('; ');
  return { title: `Add the missing permissions (${what})`, edits: [edit], preferred: true };
}

export function appendRulesEdit(text: string, obj: RbacObject, rules: PolicyRule[]): SpanEdit | undefined {
  const value = obj.pointerSpans.get('/rules');
  const written = value ? text.slice(value.start, value.end) : '';
  const last = obj.rules.length ? obj.rules[obj.rules.length - 1] : undefined;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  // Block sequence of rules: new items after the last one, at the dash's indentation, lists written like its lists.
  if (value && written.startsWith('-') && last && obj.rules.length === ruleItemCount(obj)) {
    const dash = ' '.repeat(value.start - lineStartOf(text, value.start));
    const lastText = text.slice(last.span.start, last.span.end);
    const flowLists = /\[/.test(lastText) || !/\n\s*-\s/.test(lastText);
    // Quoting as the file does it for ordinary names (an empty core group is quoted anyway).
    const quoted = /(["'])[^"'\s]+\1/.exec(lastText);
    const quote = quoted ? quoted[1]! : '';
    const items = rules.map((r) => `${nl}${dash}- ${fields(r, flowLists, quote, `${dash}  `, nl).join(`${nl}${dash}  `)}`);
    return { span: { start: last.span.end, end: last.span.end }, newText: items.join('') };
  }
  // Anything else (flow rules, an empty or missing list): rewrite the rules with the additions.
  return replaceRulesEdit(text, obj, [...obj.rules.map((r) => r.rule), ...rules]);
}

function ruleItemCount(obj: RbacObject): number {
  const rules = (obj.value as { rules?: unknown } | null)?.rules;
  return Array.isArray(rules) ? rules.length : 0;
}

function fields(rule: PolicyRule, flow: boolean, quote: string, indent: string, nl: string): string[] {
  const q = (s: string) => (quote === '"' || s === '' || /[:#{}[\],&*!|>'"%@`]|^\s|\s$/.test(s) ? JSON.stringify(s) : quote ? `'${s}'` : s);
  return FIELD_ORDER.flatMap((f) => {
    const v = rule[f];
    if (!v || (v.length === 0 && f !== 'verbs')) return [];
    return flow ? [`${f}: [${v.map(q).join(', ')}]`] : [`${f}:${v.map((x) => `${nl}${indent}- ${q(x)}`).join('')}`];
  });
}
