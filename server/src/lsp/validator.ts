import { DiagnosticSeverity, type Connection, type Diagnostic, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText, type AnalysisResult } from '../core/engine/analyze';
import { capFindings, MAX_FINDINGS_PER_RULE } from '../core/engine/capFindings';
import type { Finding, RbacObject, Span } from '../core/engine/model';
import type { LineIndex } from '../core/engine/text/lineIndex';
import { ParseCache } from '../core/engine/yaml/parseCache';
import type { PipelineRbacSettings } from '../core/shared/settings';
import { SOURCE, toDiagnostic, toRange } from './diagnostics';
import type { DocumentState } from './documentState';
import type { AnalysisEnvironment } from '../core/shared/environment';
import { Debouncer } from './scheduler';
import type { SettingsSource } from './settingsSource';
import { ChartTemplates, chartOfTemplate } from './chartTemplates';
import { baselined, configFileDiagnostics, isConfigFile } from './repoDiagnostics';
import { errorText } from '../core/engine/text/errorText';

/** Validates YAML documents (at once on open/save and on an edit after a pause, debounced while typing) and publishes diagnostics. */
/** Runs the authoritative (server-side dry-run) check of objects; throws when there is no cluster. */
export type DryRunner = (settings: PipelineRbacSettings, objects: RbacObject[]) => Promise<Finding[]>;

export class Validator {
  private readonly debouncer = new Debouncer();
  /** One parse cache per open document: an edit re-parses only the pieces it touched. */
  private readonly parseCaches = new Map<string, ParseCache>();
  /** Dry-run findings, valid for exactly one document version. */
  private readonly dryRunResults = new Map<string, { version: number; findings: Finding[] }>();
  /**
   * What was last sent for each document. VS Code takes every publish as a change of the file's markers, even an
   * identical one, and then re-asks for code actions, cancelling an open Ctrl+. request: "No code actions available".
   */
  private readonly sent = new Map<string, { version: number; diagnostics: Diagnostic[] }>();
  /** When each document was last opened or changed, for the timings logged at debug level. */
  private readonly changedAt = new Map<string, number>();
  /** Helm templates: diagnostics from the rendered chart (chartTemplates.ts). */
  readonly charts = new ChartTemplates();

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly state: DocumentState,
    private readonly env: AnalysisEnvironment,
    private readonly settings: SettingsSource,
    private readonly dryRunner: DryRunner,
  ) {}

  /** The authoritative check of one open document; its findings join the diagnostics of that version. */
  async dryRun(uri: string): Promise<{ checked: number; rejected: number }> {
    const doc = this.documents.get(uri);
    const result = doc && this.state.get(uri, doc.version);
    if (!doc || !result) return { checked: 0, rejected: 0 };
    const settings = await this.settings.get(uri);
    const findings = await this.dryRunner(settings, result.objects);
    this.dryRunResults.set(uri, { version: doc.version, findings });
    await this.publish(uri, doc.version, result.findings, result.lineIndex);
    return { checked: result.objects.filter((o) => o.kind !== 'ServiceAccount').length, rejected: findings.length };
  }

  /** On save: the dry-run check when the user enabled it; otherwise a normal validation. */
  saved(doc: TextDocument): void {
    this.charts.invalidate(doc.uri);
    if (chartOfTemplate(doc.uri)) {
      // Every open template of the chart shows findings of the new render.
      for (const other of this.documents.all()) if (chartOfTemplate(other.uri) === chartOfTemplate(doc.uri)) this.schedule(other, true);
      return;
    }
    void this.settings.get(doc.uri).then(async (s) => {
      if (!s.live.dryRunOnSave) return this.schedule(doc, true);
      try {
        await this.dryRun(doc.uri);
      } catch (err) {
        this.connection.console.warn(`pipeline-rbac: dry-run check skipped: ${errorText(err)}`);
      }
    });
  }

  schedule(doc: TextDocument, immediate = false): void {
    this.changedAt.set(doc.uri, performance.now());
    void this.settings.get(doc.uri).then((s) => {
      this.debouncer.schedule(doc.uri, immediate ? 0 : s.validateDelay, () => void this.validate(doc.uri));
    });
  }

  /**
   * The analysis of the document's current version, analysing it now when an edit's debounce has not run yet: a code
   * action request can arrive between an edit and its analysis, and answering "none" then made VS Code say "No code
   * actions available" on a line full of fixable findings.
   */
  async analysisOf(uri: string): Promise<{ doc: TextDocument; result: AnalysisResult } | undefined> {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    let result = this.state.get(uri, doc.version);
    if (!result) {
      this.debouncer.cancel(uri);
      await this.validate(uri);
      result = this.state.get(uri, doc.version);
    }
    return result && this.documents.get(uri)?.version === doc.version ? { doc, result } : undefined;
  }

  revalidateAll(): void {
    for (const doc of this.documents.all()) this.schedule(doc, true);
  }

  close(uri: string): void {
    this.debouncer.forget(uri);
    this.dryRunResults.delete(uri);
    this.parseCaches.delete(uri);
    this.changedAt.delete(uri);
    this.state.delete(uri);
    this.sent.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private async publish(uri: string, version: number, findings: Finding[], lines: LineIndex): Promise<boolean> {
    const dry = this.dryRunResults.get(uri);
    // Both are capped per rule already; merged, they are capped once more (summaries add up, they are not counted).
    const all = dry?.version === version ? capFindings([...findings, ...dry.findings]) : findings;
    const result = this.state.get(uri, version);
    const repo = await this.settings.repoState(uri).catch(() => undefined);
    const held = baselined(uri, all, result?.objects ?? [], lines, repo);
    const own = isConfigFile(uri) ? configFileDiagnostics(lines.text, lines, repo, this.settings.isTrusted) : [];
    const diagnostics = [...all.map((f, i) => toDiagnostic(f, lines, held[i])), ...(result ? unknownSuppressionDiagnostics(result) : []), ...own];
    return this.send(uri, version, diagnostics);
  }

  /**
   * Sends the diagnostics of a version unless exactly these were sent for it already (a re-analysis that found
   * nothing new: a cluster re-read, a save, a settings or file event). False when nothing was sent.
   */
  private async send(uri: string, version: number, diagnostics: Diagnostic[]): Promise<boolean> {
    const last = this.sent.get(uri);
    // Compared only for a version already sent: an edit (a new version) is sent without serialising anything twice.
    if (last?.version === version && JSON.stringify(last.diagnostics) === JSON.stringify(diagnostics)) return false;
    this.sent.set(uri, { version, diagnostics });
    await this.connection.sendDiagnostics({ uri, version, diagnostics });
    return true;
  }

  /** One debug line per publish: the analysis alone, and the time since the open or change that caused it. */
  private logTiming(uri: string, version: number, kind: 'offline' | 'live', findings: number, analysisStarted: number, sent: boolean): void {
    const since = this.changedAt.get(uri);
    const after = since === undefined ? '' : `, ${ms(since)} ms after the open or change`;
    const what = sent ? 'published' : 'unchanged, not sent again';
    this.connection.console.debug(`timing: ${kind} diagnostics of ${uri} v${version} ${what}: ${findings} finding(s), analysis ${ms(analysisStarted)} ms${after}`);
  }

  /** A Helm template: findings of the rendered chart on this template's lines; its text is never parsed as YAML. */
  private async validateTemplate(doc: TextDocument, chart: string): Promise<void> {
    try {
      const settings = await this.settings.get(doc.uri);
      const out = await this.charts.findings(doc.uri, chart, doc.getText(), settings, this.env.options(settings));
      if (this.documents.get(doc.uri)?.version !== doc.version) return;
      const diagnostics = out ? out.findings.map((f) => toDiagnostic(f, out.lineIndex)) : [];
      await this.send(doc.uri, doc.version, diagnostics);
    } catch (err) {
      this.connection.console.error(`pipeline-rbac: checking the chart of ${doc.uri} failed: ${errorText(err)}`);
    }
  }

  private async validate(uri: string, refreshed = false): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc || !isYaml(doc)) return;
    const chart = chartOfTemplate(uri);
    if (chart) return this.validateTemplate(doc, chart);
    try {
      const settings = await this.settings.get(uri);
      let parseCache = this.parseCaches.get(uri);
      if (!parseCache) this.parseCaches.set(uri, (parseCache = new ParseCache()));
      const started = performance.now();
      const result = analyzeText(doc.getText(), { ...this.env.options(settings), parseCache, fileName: uri });
      // The document may have changed while settings were fetched; only publish for the current version.
      if (this.documents.get(uri)?.version !== doc.version) return;
      this.state.set(uri, doc.version, result);
      const sent = await this.publish(uri, doc.version, result.findings, result.lineIndex);
      this.logTiming(uri, doc.version, refreshed ? 'live' : 'offline', result.findings.length, started, sent);
      // Not awaited: whoever waits for this analysis (a code action) must not wait for the cluster too.
      if (!refreshed && result.objects.length > 0) void this.refreshThenRevalidate(uri, settings, result.objects);
    } catch (err) {
      // Never let one document take the server down; report and keep serving.
      this.connection.console.error(`pipeline-rbac: validating ${uri} failed: ${errorText(err)}`);
    }
  }

  /** Reads what the cluster and the workspace know of these objects; analyses again when that changed anything. */
  private async refreshThenRevalidate(uri: string, settings: PipelineRbacSettings, objects: RbacObject[]): Promise<void> {
    try {
      const fetching = performance.now();
      const changed = await this.env.refresh(settings, objects);
      this.connection.console.debug(`timing: cluster and workspace read in ${ms(fetching)} ms for ${uri} (${changed ? 'changed: re-analysing' : 'nothing new'})`);
      if (changed) await this.validate(uri, true);
    } catch (err) {
      this.connection.console.error(`pipeline-rbac: validating ${uri} failed: ${errorText(err)}`);
    }
  }
}

const ms = (since: number): number => Math.round(performance.now() - since);

function isYaml(doc: TextDocument): boolean {
  return doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri);
}

function unknownSuppressionDiagnostics(result: AnalysisResult): Diagnostic[] {
  const all = result.unknownSuppressions;
  const diagnostic = (span: Span, message: string): Diagnostic => ({
    range: toRange(span, result.lineIndex),
    severity: DiagnosticSeverity.Warning,
    source: SOURCE,
    code: 'suppression',
    message,
  });
  const shown = all.slice(0, MAX_FINDINGS_PER_RULE).map((u) => diagnostic(u.span, `"${u.id}" is not a pipeline-rbac rule id; this suppression comment silences nothing for it`));
  const rest = all.length - shown.length;
  if (rest > 0) shown.push(diagnostic(all[MAX_FINDINGS_PER_RULE]!.span, `${rest} more suppression comments naming unknown rule ids, from here on, are not shown (at most ${MAX_FINDINGS_PER_RULE} per file are listed).`));
  return shown;
}

