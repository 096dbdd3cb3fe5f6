/** The Markdown of the Identities view's tooltips: names and messages kept literal, findings as list items. */
import type { Severity } from '../../../server/src/core/engine';
import type { Fact, FindingInfo } from '../../../server/src/core/inventory';

const SEVERITY_WORD: Record<Severity, string> = { error: 'Error', warning: 'Warning', information: 'Info', hint: 'Hint' };

export function escapeMd(s: string): string {
  // Enough to keep names and messages literal inside list items; '-' and '.' only matter at a line start.
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);
}

export function findingLines(findings: readonly FindingInfo[], facts: readonly Fact[] = []): string[] {
  return [
    ...findings.map((f) => `- **${SEVERITY_WORD[f.severity]}** \`${f.ruleId}\`: ${escapeMd(f.message)}`),
    ...facts.map((f) => `- **${SEVERITY_WORD[f.severity]}** ${escapeMd(f.message)}`),
  ];
}

export function tooltip(title: string, lines: (string | undefined | false)[]): string {
  const body = lines.filter((l): l is string => typeof l === 'string' && l.length > 0);
  return [`**${escapeMd(title)}**`, ...(body.length ? ['', ...body] : [])].join('\n');
}
