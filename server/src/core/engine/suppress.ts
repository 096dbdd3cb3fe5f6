/**
 * Suppression comments, on lines of their own:
 *   # pipeline-rbac-disable-next-line <rule-id>[, <rule-id>...] [-- reason]
 *       silences those rules (all rules when none is named) for findings that start on the next line that is
 *       neither blank nor a comment;
 *   # pipeline-rbac-disable <rule-id>... [-- reason]   /   # pipeline-rbac-enable <rule-id>...
 *       silence from that line until a matching enable (or the end of the file).
 * Comments are recognised line by line, so one inside a block scalar (`data: |`) would count as well.
 */
import type { Finding, RuleId, Span } from './model';
import type { LineIndex } from './text/lineIndex';

/** Every rule id, checked against RuleId by the compiler so that it cannot drift. */
const RULE_IDS: Record<RuleId, true> = {
  'not-held': true,
  'admission-policy-write': true,
  'apiservice-write': true,
  'crd-write': true,
  'configmap-write': true,
  'nodes-write': true,
  'cloud-identity': true,
  'cluster-scoped-in-role': true,
  'binding-not-held': true,
  'yaml-syntax': true,
  schema: true,
  'unknown-api-group': true,
  'unknown-resource': true,
  'unknown-verb': true,
  wildcard: true,
  'secrets-read': true,
  'token-create': true,
  'workload-create': true,
  'pods-exec': true,
  'escalate-verb': true,
  'bind-verb': true,
  impersonate: true,
  'nodes-proxy': true,
  'csr-approve': true,
  'webhook-config': true,
  'pv-create': true,
  'namespace-modify': true,
  'status-modify': true,
  'binding-write': true,
  'secrets-write': true,
  'network-policy-modify': true,
  aggregation: true,
  'cluster-scope': true,
  'broad-role-binding': true,
  'anonymous-subject': true,
  'default-service-account': true,
  'masters-subject': true,
  'helm-template': true,
  'unused-permission': true,
  'missing-permission': true,
  'render-error': true,
  'no-rbac-rendered': true,
  reach: true,
};

export function isRuleId(id: string): id is RuleId {
  return Object.prototype.hasOwnProperty.call(RULE_IDS, id);
}

export interface Suppression {
  kind: 'next-line' | 'disable' | 'enable';
  /** Known rule ids named; empty means every rule. */
  ruleIds: RuleId[];
  reason?: string;
  /** The comment itself. */
  span: Span;
  /** 0-based line of the comment. */
  line: number;
  /** next-line: the 0-based line it applies to (-1 when no such line follows). */
  targetLine: number;
}

export interface SuppressionScan {
  list: Suppression[];
  /** Names in suppression comments that are not rule ids, with their 0-based line. */
  unknownIds: { id: string; line: number; span: Span }[];
}

const DIRECTIVE = /^([ \t]*)#[ \t]*pipeline-rbac-(disable-next-line|disable|enable)(?=$|[\s,])(.*)$/;

export function suppressions(text: string): SuppressionScan {
  const list: Suppression[] = [];
  const unknownIds: SuppressionScan['unknownIds'] = [];
  const lines = splitLines(text);
  let pending: Suppression[] = [];
  for (let i = 0; i < lines.length; i++) {
    const { start, content } = lines[i]!;
    const trimmed = content.trim();
    if (trimmed === '' ) continue;
    if (!trimmed.startsWith('#')) {
      for (const p of pending) p.targetLine = i;
      pending = [];
      continue;
    }
    const m = DIRECTIVE.exec(content);
    if (!m) continue;
    const kind = m[2] === 'disable-next-line' ? 'next-line' : (m[2] as 'disable' | 'enable');
    let rest = m[3]!;
    let reason: string | undefined;
    const dash = rest.indexOf('--');
    if (dash >= 0) {
      reason = rest.slice(dash + 2).trim() || undefined;
      rest = rest.slice(0, dash);
    }
    const restOffset = start + m[1]!.length + (content.length - m[1]!.length - m[3]!.length);
    const ruleIds: RuleId[] = [];
    for (const tok of rest.matchAll(/[^\s,]+/g)) {
      const id = tok[0];
      if (isRuleId(id)) ruleIds.push(id);
      else {
        const s = restOffset + (tok.index ?? 0);
        unknownIds.push({ id, line: i, span: { start: s, end: s + id.length } });
      }
    }
    // A comment naming only unknown ids silences nothing (rather than everything).
    if (ruleIds.length === 0 && rest.trim() !== '') continue;
    const sup: Suppression = { kind, ruleIds, span: { start: start + m[1]!.length, end: start + content.length }, line: i, targetLine: -1 };
    if (reason !== undefined) sup.reason = reason;
    list.push(sup);
    if (kind === 'next-line') pending.push(sup);
  }
  return { list, unknownIds };
}

/** Findings not silenced by `list`. Linear in findings and comments (both come from the file, which may be hostile). */
export function applySuppressions(findings: Finding[], list: Suppression[], lineIndex: LineIndex): Finding[] {
  if (list.length === 0) return findings;
  const nextLine = new Map<number, Suppression[]>();
  const ranges: Suppression[] = [];
  for (const s of list) {
    if (s.kind === 'next-line') {
      if (s.targetLine < 0) continue;
      const at = nextLine.get(s.targetLine);
      if (at) at.push(s);
      else nextLine.set(s.targetLine, [s]);
    } else ranges.push(s);
  }
  ranges.sort((a, b) => a.line - b.line);
  const disabledAt = rangeLookup(ranges);
  return findings.filter((f) => {
    const line = lineIndex.lineOf(f.span.start);
    if (nextLine.get(line)?.some((s) => covers(s, f.ruleId))) return false;
    return !disabledAt(line, f.ruleId);
  });
}

function covers(s: Suppression, id: RuleId): boolean {
  return s.ruleIds.length === 0 || s.ruleIds.includes(id);
}

/**
 * Is a rule disabled at a line by the disable/enable comments above it (`ranges` in line order)? The last comment
 * above the line that names the rule decides; per rule, those comments' lines are searched by bisection.
 */
function rangeLookup(ranges: Suppression[]): (line: number, id: RuleId) => boolean {
  const byRule = new Map<RuleId, { lines: number[]; disabled: boolean[] }>();
  return (line, id) => {
    let t = byRule.get(id);
    if (!t) {
      t = { lines: [], disabled: [] };
      for (const s of ranges) {
        if (!covers(s, id)) continue;
        t.lines.push(s.line);
        t.disabled.push(s.kind === 'disable');
      }
      byRule.set(id, t);
    }
    let lo = 0;
    let hi = t.lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t.lines[mid]! < line) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && t.disabled[lo - 1]!;
  };
}

function splitLines(text: string): { start: number; content: string }[] {
  const out: { start: number; content: string }[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ start, content: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  out.push({ start, content: text.slice(start) });
  return out;
}
