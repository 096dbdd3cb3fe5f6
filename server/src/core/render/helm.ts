/**
 * Renders a Helm chart with the real `helm template` and maps the output back to the templates. I/O lives here; the
 * mapping is pure (map/helmSource.ts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { LineIndex } from '../engine/text/lineIndex';
import { helmRenderedSet } from './map/helmSource';
import { documentStartSpan, type SourceText } from './map/sourceMap';
import { readInside } from './readSource';
import { DEFAULT_RUN_LIMITS, runBounded, type RunLimits } from './run';
import { requireTool, type ToolLookup } from './tools';
import { toolMessage, type RenderOutcome } from './outcome';

export interface HelmOptions {
  /** Release name; default the chart's name. */
  release?: string | undefined;
  namespace: string;
  /** `--values FILE`, in order. */
  values?: string[];
  /** `--set K=V`, in order. */
  set?: string[];
  tool?: ToolLookup;
  limits?: RunLimits;
  /** How paths are shown (relative to the working directory). */
  display: (abs: string) => string;
}

const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The chart's `name:` from Chart.yaml, when it is a usable release name. */
export function chartName(chartDir: string): string | undefined {
  try {
    const doc = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'), { maxAliasCount: 10 }) as { name?: unknown } | null;
    return typeof doc?.name === 'string' ? doc.name : undefined;
  } catch {
    return undefined;
  }
}

export function helmArgs(chartDir: string, release: string, opts: HelmOptions, cwd: string): string[] {
  const args = ['template', release, resolve(cwd, chartDir), '--namespace', opts.namespace, '--include-crds'];
  for (const v of opts.values ?? []) args.push('--values', resolve(cwd, v));
  for (const s of opts.set ?? []) args.push('--set', s);
  return args;
}

export async function renderChart(chartDir: string, opts: HelmOptions, cwd: string = process.cwd()): Promise<RenderOutcome> {
  const dir = resolve(cwd, chartDir);
  const name = chartName(dir);
  const release = opts.release ?? (name && RELEASE.test(name) && name.length <= 53 ? name : 'release');
  if (!RELEASE.test(release) || release.length > 53) throw new Error(`--release "${release}" is not a valid release name (lowercase letters, digits and "-", at most 53)`);
  const helm = requireTool('helm', opts.tool);
  const result = await runBounded(helm, helmArgs(dir, release, opts, cwd), dir, opts.limits ?? DEFAULT_RUN_LIMITS);
  const chartYaml = readInside(dir, 'Chart.yaml');
  const fallback: SourceText = { path: opts.display(join(dir, 'Chart.yaml')), text: chartYaml?.text ?? '' };
  if (result.code !== 0) return { ok: false, error: helmError(result.stderr, dir, fallback, opts.display) };
  const templates = new Map<string, SourceText>();
  for (const m of result.stdout.matchAll(/^# Source: [^/\n]+\/(.+)$/gm)) {
    const rel = m[1]!.trim();
    if (templates.has(rel)) continue;
    const file = readInside(dir, rel);
    if (file) templates.set(rel, { path: opts.display(file.abs), text: file.text });
  }
  return { ok: true, set: helmRenderedSet(result.stdout, templates, fallback, `chart ${name ?? dir} (helm template ${release})`) };
}

/**
 * helm's error as one finding at the failing template line: `template: web/templates/x.yaml:7:14: executing ...` and
 * `parse error at (web/templates/x.yaml:5): ...` name it; a YAML error names only the template.
 */
export function helmError(stderr: string, dir: string, fallback: SourceText, display: (abs: string) => string) {
  const message = toolMessage(stderr, 'helm template failed');
  const at = /[\w.-]+\/((?:charts\/[^/\s:]+\/)*templates\/[^\s:()]+):(\d+)(?::(\d+))?/.exec(message);
  const named = /YAML parse error on [\w.-]+\/((?:charts\/[^/\s:]+\/)*templates\/[^\s:]+)/.exec(message);
  const rel = at?.[1] ?? named?.[1];
  const file = rel ? readInside(dir, rel) : undefined;
  if (!file) return { path: fallback.path, text: fallback.text, span: { start: 0, end: 0 }, message: `helm template failed: ${message}` };
  const index = new LineIndex(file.text);
  let span;
  if (at) {
    const line = Math.max(0, Number(at[2]) - 1);
    const col = at[3] ? Math.max(0, Number(at[3]) - 1) : 0;
    const start = index.offsetAt({ line, character: col });
    span = { start, end: index.offsetAt({ line, character: Number.MAX_SAFE_INTEGER }) };
  } else span = documentStartSpan(index, 0);
  return { path: display(file.abs), text: file.text, span, message: `helm template failed: ${message}` };
}
