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
import type { Finding } from '../core/engine/model';
import { LineIndex } from '../core/engine/text/lineIndex';
import { renderChart } from '../core/render/helm';
import { mapRenderedFindings, renderFailureFindings, type SourceFindings } from '../core/render/map/findings';
import { analyzeText } from '../core/engine/analyze';
import { MissingToolError } from '../core/render/tools';
import type { PipelineRbacSettings } from '../core/shared/settings';
import { errorText } from '../core/engine/text/errorText';

export interface TemplateFindings {
  findings: Finding[];
  lineIndex: LineIndex;
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
  /** Findings per absolute file path. */
  byFile: Map<string, SourceFindings>;
  /** When the chart did not render or could not be rendered: one finding for every template of the chart. */
  chartError?: { message: string; path?: string };
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

  private chartContaining(uri: string): string | undefined {
    const path = fileURLToPath(uri);
    return [...this.cache.keys()].find((c) => path.startsWith(c + sep));
  }

  /** Findings for one template, mapped onto its own text; undefined when the workspace is untrusted. */
  async findings(uri: string, chart: string, text: string, settings: PipelineRbacSettings, options: AnalyzeOptions): Promise<TemplateFindings | undefined> {
    const lineIndex = new LineIndex(text);
    if (!settings.trusted) return undefined;
    const key = JSON.stringify([settings.namespace, settings.helm.path]);
    let pending = this.cache.get(chart);
    let rendered = pending ? await pending : undefined;
    if (!rendered || rendered.key !== key) {
      pending = this.render(chart, key, settings, options);
      this.cache.set(chart, pending);
      rendered = await pending;
    }
    const path = fileURLToPath(uri);
    if (rendered.chartError) {
      const err = rendered.chartError;
      const here = err.path === path;
      const where = here ? undefined : err.path ? ` (in ${err.path.slice(chart.length + 1)})` : '';
      const own = here ? rendered.byFile.get(path)?.findings ?? [] : [];
      const message = here ? err.message : `${err.message}${where ?? ''}`;
      const findings = own.length ? own : [{ ruleId: 'render-error' as const, severity: 'error' as const, span: { start: 0, end: Math.min(text.length, text.indexOf('\n') >>> 0) }, message }];
      return { findings, lineIndex };
    }
    const mine = rendered.byFile.get(path);
    // Spans were computed on the file as helm read it (saved); an unsaved edit may shift them until the next save.
    return { findings: (mine?.findings ?? []).filter((f) => f.span.end <= text.length), lineIndex };
  }

  private async render(chart: string, key: string, settings: PipelineRbacSettings, options: AnalyzeOptions): Promise<Rendered> {
    try {
      const outcome = await renderChart(chart, {
        namespace: settings.namespace || 'default',
        display: (abs) => abs,
        tool: { settingPath: settings.helm.path, trusted: settings.trusted },
      });
      if (!outcome.ok) {
        const failure = renderFailureFindings(outcome.error);
        return { key, byFile: new Map([[outcome.error.path, failure]]), chartError: { message: outcome.error.message, path: outcome.error.path } };
      }
      const groups = mapRenderedFindings(outcome.set, analyzeText(outcome.set.text, options).findings);
      return { key, byFile: new Map(groups.map((g) => [g.file.path, g])) };
    } catch (err) {
      const message = err instanceof MissingToolError ? err.message : `helm template could not run: ${errorText(err)}`;
      return { key, byFile: new Map(), chartError: { message } };
    }
  }
}
