/**
 * Rewriting the whole `rules:` value of one Role/ClusterRole, in the file's own style, leaving every other byte alone.
 */
import type { PolicyRule, RbacObject } from '../model';
import { lineStartOf, yamlString, type SpanEdit } from './textEdit';

/** Field order as people (and `kubectl get -o yaml`) write a rule. */
const FIELD_ORDER = ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs', 'verbs'] as const;

/**
 * The edit that makes the object's `rules` exactly `rules`. A block sequence is rewritten from its first dash to the
 * end of its last item (comments after it stay) at the same indentation; `rules: [...]` or an empty `rules:` in a block
 * mapping becomes a block sequence under the key; inside a flow mapping only a flow sequence is valid, so it stays flow.
 * Undefined when there is no `rules` key or its value is something we should not rewrite (an alias, anchor or tag).
 */
export function replaceRulesEdit(text: string, obj: RbacObject, rules: PolicyRule[]): SpanEdit | undefined {
  const key = obj.keySpans?.get('/rules');
  const value = obj.pointerSpans.get('/rules');
  if (!key || !value) return undefined;
  const written = text.slice(value.start, value.end);
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  if (text.charAt(obj.span.start) === '{') return written.startsWith('[') ? { span: value, newText: flowRules(rules) } : undefined;

  const items = ruleItemCount(obj);
  const last = items > 0 ? obj.pointerSpans.get(`/rules/${items - 1}`) : undefined;
  if (written.startsWith('-') && last && rules.length > 0) {
    const indent = ' '.repeat(value.start - lineStartOf(text, value.start));
    return { span: { start: value.start, end: last.end }, newText: blockRules(rules, indent, nl) };
  }
  if (!written.startsWith('[') && !['', 'null', '~', 'Null', 'NULL'].includes(written)) return undefined;
  const colon = text.indexOf(':', key.end);
  if (colon < 0 || (written !== '' && colon > value.start)) return undefined;
  const span = { start: colon + 1, end: Math.max(colon + 1, value.end) };
  if (rules.length === 0) return { span, newText: ' []' };
  const indent = ' '.repeat(key.start - lineStartOf(text, key.start) + 2);
  return { span, newText: `${nl}${indent}${blockRules(rules, indent, nl)}` };
}

/** How many items the `rules` sequence has as written (malformed ones included, unlike obj.rules). */
function ruleItemCount(obj: RbacObject): number {
  const rules = (obj.value as { rules?: unknown } | null)?.rules;
  return Array.isArray(rules) ? rules.length : 0;
}

/** `- apiGroups: [...]` items; the first line starts at the dash (the edit's start), the others at `indent`. */
function blockRules(rules: PolicyRule[], indent: string, nl: string): string {
  return rules.map((r) => `- ${fieldsOf(r).join(`${nl}${indent}  `)}`).join(`${nl}${indent}`);
}

function flowRules(rules: PolicyRule[]): string {
  return `[${rules.map((r) => `{${fieldsOf(r).join(', ')}}`).join(', ')}]`;
}

function fieldsOf(rule: PolicyRule): string[] {
  return FIELD_ORDER.flatMap((f) => {
    const v = rule[f];
    return v === undefined || (v.length === 0 && f !== 'verbs') ? [] : [`${f}: [${v.map(yamlString).join(', ')}]`];
  });
}
