/**
 * What a rule grants, atom by atom, and whether the applier holds each: the hover on a rule.
 * Pure: the caller passes what is known about the applier.
 */
import type { ApiCatalog } from '../catalog/apiCatalog';
import type { Finding, LocatedRule, PolicyRule, RbacObject } from '../model';
import { atomCount, covers, ruleAtoms } from '../rbac/covers';
import { heldRulesFor, type HeldPermissions } from '../rbac/heldPermissions';
import { checkNamespace } from '../rbac/notHeld';
import { escapeMarkdown, markdownCode } from '../text/markdown';

const MAX_ROWS = 40;

export interface RuleHoverInput {
  obj: RbacObject;
  rule: LocatedRule;
  held?: HeldPermissions | undefined;
  defaultNamespace: string;
  catalog?: ApiCatalog | undefined;
  findings: Finding[];
}

export function ruleHoverMarkdown(input: RuleHoverInput): string {
  const { obj, rule, held } = input;
  const ns = checkNamespace(obj, input.defaultNamespace);
  const scope = obj.kind === 'Role' ? `namespace ${code(ns)}` : 'the whole cluster';
  const total = atomCount(rule.rule);
  const heldRules = held ? heldRulesFor(held, ns) : undefined;
  const lines: string[] = [];
  lines.push(`**Rule ${rule.index + 1}** of ${obj.kind} ${code(obj.name)} grants ${total.toLocaleString('en-US')} permission${total === 1 ? '' : 's'} in ${scope}:`);
  lines.push('');
  const holdColumn = held !== undefined;
  lines.push(holdColumn ? '| verb | resource | API group | names | you hold it |' : '| verb | resource | API group | names |');
  lines.push(holdColumn ? '|---|---|---|---|---|' : '|---|---|---|---|');
  let shown = 0;
  for (const atom of ruleAtoms(rule.rule)) {
    if (shown++ === MAX_ROWS) break;
    const cells = describeAtom(atom, input.catalog);
    if (holdColumn) cells.push(holdsCell(atom, held, heldRules));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (total > MAX_ROWS) lines.push('', `...and ${(total - MAX_ROWS).toLocaleString('en-US')} more.`);
  lines.push('');
  if (held) lines.push(`Checked against ${escapeMarkdown(held.source)}${held.user ? ` as ${code(held.user.username)}` : ''}.`);
  else lines.push('Not checked against anyone\'s permissions (no live cluster and no held rules).');
  const ruleFindings = input.findings.filter((f) => f.span.start >= rule.span.start && f.span.end <= rule.span.end);
  if (ruleFindings.length) {
    lines.push('', '**Findings**', '');
    for (const f of ruleFindings) lines.push(`- ${f.severity}: ${escapeMarkdown(f.message)} (${code(f.ruleId)})`);
  }
  return lines.join('\n');
}

function describeAtom(atom: PolicyRule, catalog: ApiCatalog | undefined): string[] {
  const verb = atom.verbs[0] ?? '';
  if (atom.nonResourceURLs?.length) return [code(verb), code(atom.nonResourceURLs[0]!), '(non-resource URL)', ''];
  const group = atom.apiGroups?.[0] ?? '';
  const resource = atom.resources?.[0] ?? '';
  const names = atom.resourceNames?.length ? atom.resourceNames.map(code).join(', ') : 'all';
  return [
    verb === '*' ? `${code('*')} (every verb)` : code(verb),
    resource === '*' ? `${code('*')} (${expandHint(group, catalog)})` : code(resource),
    group === '' ? 'core' : group === '*' ? `${code('*')} (every group)` : code(group),
    names,
  ];
}

function expandHint(group: string, catalog: ApiCatalog | undefined): string {
  if (!catalog || group === '*') return 'every resource';
  const names = catalog.resourcesOf(group);
  if (!names.length) return 'every resource';
  const shown = escapeMarkdown(names.slice(0, 8).join(', '));
  return `every resource: ${shown}${names.length > 8 ? ', ...' : ''}`;
}

function holdsCell(atom: PolicyRule, held: HeldPermissions | undefined, rules: { rules: PolicyRule[]; incomplete: boolean } | undefined): string {
  if (held?.superuser) return 'yes (system:masters)';
  if (!rules) return 'unknown';
  if (covers(rules.rules, [atom]).covered) return 'yes';
  return rules.incomplete ? 'unknown (incomplete rules)' : '**no**';
}

/** A code span that also stays inside its table cell (a `|` would end the cell even there). */
function code(s: string): string {
  return markdownCode(s).replace(/\|/g, '\\|');
}
