import { pathToFileURL } from 'node:url';
import { isAbsolute, relative } from 'node:path';
import type { Severity } from '../../core/engine/model';
import { RULE_LIST } from '../../core/engine/rules/catalog';
import type { FileReport } from '../report';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

/** SARIF 2.1.0 for code scanning (GitHub, GitLab); regions are 1-based, columns in UTF-16 code units. */
export function formatSarif(reports: FileReport[], version: string, cwd: string): string {
  const rules = RULE_LIST;
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = reports.flatMap((r) =>
    r.findings.map((f) => {
      const start = r.lineIndex.positionAt(f.span.start);
      const end = r.lineIndex.positionAt(f.span.end);
      const rel = isAbsolute(r.path) ? relative(cwd, r.path) : r.path;
      const inRoot = !rel.startsWith('..') && !isAbsolute(rel);
      return {
        ruleId: f.ruleId,
        ruleIndex: index.get(f.ruleId) ?? -1,
        level: LEVEL[f.severity],
        message: { text: f.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: inRoot
                ? { uri: rel.split(/[\\/]/).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' }
                : { uri: pathToFileURL(r.path).href },
              region: { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 },
            },
          },
        ],
      };
    }),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pipeline-rbac',
            version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              helpUri: r.docs,
              help: { text: `${r.description}\nFix: ${r.fix}`, markdown: `${r.description}\n\n**Fix:** ${r.fix}` },
              defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
              properties: { tags: ['security', 'kubernetes', 'rbac'] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith('/') ? cwd : cwd + '/').href } },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
