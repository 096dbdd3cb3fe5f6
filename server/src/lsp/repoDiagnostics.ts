/**
 * What the repository config adds to the diagnostics: its own problems on the config file's lines (as you type), and
 * which findings of a document its baseline holds (shown lower, tagged "in baseline"; diagnostics.ts).
 */
import { basename } from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { withFingerprintKeys } from '../core/engine/findingKey';
import type { Finding, RbacObject } from '../core/engine/model';
import type { LineIndex } from '../core/engine/text/lineIndex';
import { inBaseline } from '../core/shared/baseline';
import { fingerprintPath, fingerprints } from '../core/shared/fingerprint';
import { CONFIG_FILE_NAME, parseRepoConfig } from '../core/shared/repoConfig';
import { fileURLToPath } from 'node:url';
import { SOURCE } from './diagnostics';
import type { RepoState } from './repoConfigSource';

export const isConfigFile = (uri: string): boolean => uri.startsWith('file:') && basename(fileURLToPath(uri)) === CONFIG_FILE_NAME;

const diagnostic = (lines: LineIndex, start: number, end: number, severity: DiagnosticSeverity, message: string): Diagnostic => ({
  range: { start: lines.positionAt(start), end: lines.positionAt(Math.max(end, start + 1)) },
  severity,
  source: SOURCE,
  code: 'config',
  message,
});

/** The config file's own diagnostics: each problem on its line; a baseline it names that cannot be used; untrusted: not read. */
export function configFileDiagnostics(text: string, lines: LineIndex, state: RepoState | undefined, trusted: boolean): Diagnostic[] {
  const parsed = parseRepoConfig(text);
  const out = parsed.ok ? [] : parsed.problems.map((p) => diagnostic(lines, p.start, p.end, DiagnosticSeverity.Error, `${p.message} (the config is not used until this is fixed)`));
  if (!trusted) {
    out.push(diagnostic(lines, 0, 0, DiagnosticSeverity.Information, 'pipeline-rbac does not use this config in an untrusted workspace (the CLI does): trust the workspace to judge by it'));
  } else if (parsed.ok && state?.baselineProblem) {
    const at = /^baseline[ \t]*:/m.exec(text);
    const start = at?.index ?? 0;
    out.push(diagnostic(lines, start, start + (at?.[0].length ?? 1), DiagnosticSeverity.Error, `the baseline is not used: ${state.baselineProblem}`));
  }
  return out;
}

/** Which of a document's findings the baseline holds, aligned with `findings` (all false without a baseline). */
export function baselined(uri: string, findings: readonly Finding[], objects: readonly RbacObject[], lines: LineIndex, state: RepoState | undefined): boolean[] {
  const b = state?.baseline;
  if (!b || !uri.startsWith('file:') || findings.length === 0) return findings.map(() => false);
  const keyed = withFingerprintKeys(findings, objects, lines.text);
  const fps = fingerprints(fingerprintPath(b.root, fileURLToPath(uri)), keyed);
  return keyed.map((f, i) => inBaseline(b.baseline, fps[i]!, f));
}
