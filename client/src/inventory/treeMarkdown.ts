/** The Markdown of the Identities view's tooltips: names and messages kept literal, findings as list items. */
import { escapeMarkdown, markdownCode, type Severity } from '../../../server/src/core/engine';
import type { Fact, FindingInfo } from '../../../server/src/core/inventory';

const SEVERITY_WORD: Record<Severity, string> = { error: 'Error', warning: 'Warning', information: 'Info', hint: 'Hint' };

export function findingLines(findings: readonly FindingInfo[], facts: readonly Fact[] = []): string[] {
  return [
    ...findings.map((f) => `- **${SEVERITY_WORD[f.severity]}** ${markdownCode(f.ruleId)}: ${escapeMarkdown(f.message)}`),
    ...facts.map((f) => `- **${SEVERITY_WORD[f.severity]}** ${escapeMarkdown(f.message)}`),
  ];
}

export function tooltip(title: string, lines: (string | undefined | false)[]): string {
  const body = lines.filter((l): l is string => typeof l === 'string' && l.length > 0);
  return [`**${escapeMarkdown(title)}**`, ...(body.length ? ['', ...body] : [])].join('\n');
}
