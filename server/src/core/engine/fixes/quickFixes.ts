/**
 * Quick fixes for findings, as pure text edits. Keyed on the finding's rule id and data (ruleIndex, field, value),
 * like vscode-eslint keys code actions on diagnostic codes.
 */
import type { Finding, PolicyRule, RbacObject } from '../model';
import { riskFindings } from '../rules/risks';
import { addMissingRulesFix } from './addRulesFix';
import { replaceRulesEdit } from './rulesText';
import { insertFieldAfter, removeListItem, removeListItems, replaceListItem } from './listEdits';
import { indentationAt, lineStartOf, type Fix } from './textEdit';

const REMOVABLE: ReadonlySet<string> = new Set([
  'wildcard', 'secrets-read', 'token-create', 'workload-create', 'pods-exec', 'escalate-verb', 'bind-verb', 'impersonate',
  'nodes-proxy', 'csr-approve', 'webhook-config', 'pv-create', 'namespace-modify', 'status-modify', 'unused-permission',
  'binding-write', 'secrets-write', 'network-policy-modify',
]);

/** Rules where naming the objects (resourceNames) narrows the grant meaningfully. */
const NARROWABLE: ReadonlySet<string> = new Set(['secrets-read', 'secrets-write', 'binding-write', 'bind-verb', 'escalate-verb', 'impersonate', 'workload-create']);

export function quickFixes(text: string, finding: Finding, obj: RbacObject | undefined): Fix[] {
  const fixes: Fix[] = [];
  const d = finding.data;
  const rule = d?.ruleIndex !== undefined ? obj?.rules[d.ruleIndex] : undefined;
  const field = d?.field;
  const list = rule && field ? rule.fields[field] : undefined;
  const index = list && d?.value !== undefined ? indexOfItem(text, list.items, d.value) : -1;

  if (list && index >= 0 && d?.replacement?.length && d.value === '*') {
    fixes.push({
      title: `Replace "*" with ${d.replacement.join(', ')}`,
      edits: [replaceListItem(text, list, index, d.replacement)],
      preferred: true,
    });
  }
  const split = obj && rule && d?.replacementRules?.length ? splitRuleFix(text, obj, rule.index, d.replacementRules) : undefined;
  if (split) fixes.push(split);
  if (list && index >= 0 && REMOVABLE.has(finding.ruleId) && list.items.length > 1) {
    fixes.push({ title: `Remove "${d!.value}" from ${field}`, edits: [removeListItem(text, list, index)], preferred: fixes.length === 0 });
  }
  // A risk that depends on the verbs (get on secrets, create on pods...) sits on the resource: remove those verbs.
  const verbs = rule?.fields.verbs;
  if (obj && rule && verbs && field === 'resources' && REMOVABLE.has(finding.ruleId)) {
    const risky = riskyVerbs(obj, rule.index, finding);
    if (risky.length > 0 && risky.length < rule.rule.verbs.length) {
      const indices = rule.rule.verbs.flatMap((v, i) => (risky.includes(v) ? [i] : []));
      fixes.push({ title: `Remove ${risky.map((v) => `"${v}"`).join(', ')} from verbs`, edits: removeListItems(text, verbs, indices), preferred: fixes.length === 0 });
    }
  }
  if (rule && NARROWABLE.has(finding.ruleId) && !rule.rule.resourceNames?.length && rule.fields.resources && !hasCollectionVerb(rule.rule.verbs)) {
    fixes.push({
      title: 'Restrict to named objects (add resourceNames)',
      edits: [insertFieldAfter(text, rule.fields.resources, 'resourceNames', ['NAME'])],
    });
  }
  const add = addMissingRulesFix(text, finding, obj);
  if (add) fixes.push(add);
  fixes.push(suppressFix(text, finding));
  return fixes;
}

/** Rule `ruleIndex` replaced by one rule per API group (the rest of `rules` rewritten as it is). */
function splitRuleFix(text: string, obj: RbacObject, ruleIndex: number, replacement: PolicyRule[]): Fix | undefined {
  const written = (obj.value as { rules?: unknown } | null)?.rules;
  // A malformed item is not in obj.rules: rewriting `rules` from obj.rules would drop it.
  if (!Array.isArray(written) || written.length !== obj.rules.length) return undefined;
  const rules = obj.rules.flatMap((r) => (r.index === ruleIndex ? replacement : [r.rule]));
  const edit = replaceRulesEdit(text, obj, rules);
  if (!edit) return undefined;
  const what = replacement.map((r) => `${(r.resources ?? []).join(', ')} (${r.apiGroups?.[0] === '' ? 'core' : r.apiGroups?.[0]})`).join('; ');
  return { title: `Replace "*" with one rule per API group: ${what}`, edits: [edit], preferred: true };
}

/** The verbs of the rule that, alone, raise the same finding on the same resource. */
function riskyVerbs(obj: RbacObject, ruleIndex: number, finding: Finding): string[] {
  const located = obj.rules[ruleIndex]!;
  return located.rule.verbs.filter((verb) => {
    const probe: RbacObject = { ...obj, rules: [{ ...located, rule: { ...located.rule, verbs: [verb] } }] };
    return riskFindings(probe).some((f) => f.ruleId === finding.ruleId && f.span.start === finding.span.start);
  });
}

/** `# pipeline-rbac-disable-next-line <rule> -- reason` above the finding's line. */
export function suppressFix(text: string, finding: Finding): Fix {
  const at = lineStartOf(text, finding.span.start);
  const indent = indentationAt(text, finding.span.start);
  // Inside a `- key:` line, a comment at the dash's indentation is still valid YAML.
  return {
    title: `Disable ${finding.ruleId} for this line`,
    edits: [{ span: { start: at, end: at }, newText: `${indent}# pipeline-rbac-disable-next-line ${finding.ruleId} -- REASON\n` }],
  };
}

function indexOfItem(text: string, items: { start: number; end: number }[], value: string): number {
  return items.findIndex((s) => unquote(text.slice(s.start, s.end)) === value);
}

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

/** resourceNames cannot restrict list, watch, create or deletecollection: the request has no name. */
function hasCollectionVerb(verbs: string[]): boolean {
  return verbs.some((v) => v === 'list' || v === 'watch' || v === 'create' || v === 'deletecollection' || v === '*');
}

