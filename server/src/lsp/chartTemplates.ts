/**
 * Diagnostics for Helm templates (files under a chart's `templates/`): a template is not YAML, so it is never parsed
 * as such (no yaml-syntax findings for `{{ }}`); instead the whole chart is rendered with the real `helm template`
 * (on open and save, never while typing; one render per chart at a time, cached until a file of the chart is saved),
 * the rendered objects are analysed, and each finding is shown on the template line that produced it.
 * Charts are rendered only in trusted workspaces.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalyzeOptions } from '../core/engine/analyze';
import type { Finding, RbacObject } from '../core/engine/model';
import type { RenderOutcome } from '../core/render/outcome';
import { LineIndex } from '../core/engine/text/lineIndex';
import { renderChartLines } from '../core/render/helmLines';
import { mapRenderedFindings, renderFailureFindings, type SourceFindings } from '../core/render/map/findings';
import { analyzeText } from '../core/engine/analyze';
import { MissingToolError } from '../core/render/tools';
import type { PipelineRbacSettings } from '../core/shared/settings';
import { errorText } from '../core/engine/text/errorText';

export interface TemplateFindings {
  findings: Finding[];
  lineIndex: LineIndex;
  /** Every object the chart rendered (empty when it did not render). */
  objects: RbacObject[];
}

const MAX_DEPTH = 12;

/** The chart directory of a template file (`<chart>/templates/**`, with `<chart>/Chart.yaml`), if it is one. */
export function chartOfTemplate(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch {
    return undefined;
  }
  let dir = dirname(path);
  for (let i = 0; i < MAX_DEPTH && dir !== dirname(dir); i++, dir = dirname(dir)) {
    if (dir.endsWith(`${sep}templates`)) {
      const chart = dirname(dir);
      const chartYaml = join(chart, 'Chart.yaml');
      if (existsSync(chartYaml) && statSync(chartYaml).isFile()) return chart;
    }
  }
  return undefined;
}

interface Rendered {
  key: string;
  /** The chart's render, when it rendered. */
  outcome?: RenderOutcome & { ok: true };
  /** Its analysis with the options of the last request; dropped when what the options know changed (reanalyse). */
  analysis?: { byFile: Map<string, SourceFindings>; objects: RbacObject[] };
  /** When the chart did not render or could not be rendered: one finding for every template of the chart. */
  chartError?: { message: string; path?: string; failure?: SourceFindings };
}

export class ChartTemplates {
  private readonly cache = new Map<string, Promise<Rendered>>();

  /** A file of the chart was saved (or changed on disk): render again next time. */
  invalidate(uri: string): void {
    const chart = chartOfTemplate(uri) ?? (uri.startsWith('file:') ? this.chartContaining(uri) : undefined);
    if (chart) this.cache.delete(chart);
  }

  invalidateAll(): void {
    this.cache.clear();
  }

  /** What the analysis options know changed (the cluster or workspace was read for the chart's objects): analyse again. */
  async reanalyse(chart: string): Promise<void> {
    const pending = this.cache.get(chart);
    if (pending) delete (await pending).analysis;
  }

  private chartContaining(uri: string): string | undefined {
    const path = fileURLToPath(uri);
    return [...this.cache.keys()].find((c) => path.startsWith(c + sep));
  }

  /**
   * Findings for one template, mapped onto its own text, and every RBAC object the chart rendered (for the cluster
   * read); undefined when the workspace is untrusted. The rendered output is analysed exactly as a file is, with the
   * same options.
   */
  async findings(uri: string, chart: string, text: string, settings: PipelineRbacSettings, options: AnalyzeOptions): Promise<TemplateFindings | undefined> {
    const lineIndex = new LineIndex(text);
    if (!settings.trusted) return undefined;
    const key = JSON.stringify([settings.namespace, settings.helm.path]);
    let pending = this.cache.get(chart);
    let rendered = pending ? await pending : undefined;
    if (!rendered || rendered.key !== key) {
      pending = this.render(chart, key, settings);
      this.cache.set(chart, pending);
      rendered = await pending;
    }
    const path = fileURLToPath(uri);
    if (rendered.chartError) {
      const err = rendered.chartError;
      const here = err.path === path;
      const where = here ? undefined : err.path ? ` (in ${err.path.slice(chart.length + 1)})` : '';
      const own = here ? err.failure?.findings ?? [] : [];
      const message = here ? err.message : `${err.message}${where ?? ''}`;
      const findings = own.length ? own : [{ ruleId: 'render-error' as const, severity: 'error' as const, span: { start: 0, end: Math.min(text.length, text.indexOf('\n') >>> 0) }, message }];
      return { findings, lineIndex, objects: [] };
    }
    const set = rendered.outcome!.set;
    if (!rendered.analysis) {
      const result = analyzeText(set.text, { ...options, rendered: true });
      rendered.analysis = { byFile: new Map(mapRenderedFindings(set, result.findings).map((g) => [g.file.path, g])), objects: result.objects };
    }
    const mine = rendered.analysis.byFile.get(path);
    // Spans were computed on the file as helm read it (saved); an unsaved edit may shift them until the next save.
    return { findings: (mine?.findings ?? []).filter((f) => f.span.end <= text.length), lineIndex, objects: rendered.analysis.objects };
  }

  private async render(chart: string, key: string, settings: PipelineRbacSettings): Promise<Rendered> {
    try {
      const outcome = await renderChartLines(chart, {
        namespace: settings.namespace || 'default',
        display: (abs) => abs,
        tool: { settingPath: settings.helm.path, trusted: settings.trusted },
      });
      if (!outcome.ok) return { key, chartError: { message: outcome.error.message, path: outcome.error.path, failure: renderFailureFindings(outcome.error) } };
      return { key, outcome };
    } catch (err) {
      const message = err instanceof MissingToolError ? err.message : `helm template could not run: ${errorText(err)}`;
      return { key, chartError: { message } };
    }
  }
}
