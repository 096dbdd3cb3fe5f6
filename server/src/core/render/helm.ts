/**
 * Renders a Helm chart with the real `helm template` and maps the output back to the templates. I/O lives here; the
 * mapping is pure (map/helmSource.ts).
 */
import { realpath } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { LineIndex } from '../engine/text/lineIndex';
import { helmRenderedSet } from './map/helmSource';
import { documentStartSpan, type SourceText } from './map/sourceMap';
import { readInside } from './readSource';
import { copyInside, CopyBudget, CopyRefused, isInside, operandFence } from './copyInside';
import { openRoom } from './room';
import { DEFAULT_RUN_LIMITS, RunLimitError, runBounded, type RunLimits } from './run';
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
  signal?: AbortSignal | undefined;
  /** A folder the chart folder must really lie in (the workspace folder, the CLI's working directory). */
  within?: string | undefined;
}

const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The chart's `name:` from Chart.yaml (of the room's copy: never through a link), when it is a usable release name. */
export function chartName(chartDir: string): string | undefined {
  const read = readInside(chartDir, 'Chart.yaml');
  if (!read) return undefined;
  try {
    const doc = parse(read.text, { maxAliasCount: 10 }) as { name?: unknown } | null;
    return typeof doc?.name === 'string' ? doc.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `helm template` of the room's copy of the chart. Local paths only, no --dependency-update (a chart's dependencies
 * are never fetched: missing ones are helm's error), no --validate (no cluster), DNS lookups off (helm's default).
 */
export function helmArgs(chartCopy: string, release: string, opts: HelmOptions, valuesCopies: string[]): string[] {
  const args = ['template', release, chartCopy, '--namespace', opts.namespace, '--include-crds'];
  for (const v of valuesCopies) args.push('--values', v);
  for (const s of opts.set ?? []) args.push('--set', s);
  return args;
}

export async function renderChart(chartDir: string, opts: HelmOptions, cwd: string = process.cwd()): Promise<RenderOutcome> {
  const dir = resolve(cwd, chartDir);
  const chartYaml = readInside(dir, 'Chart.yaml');
  const fallback: SourceText = { path: opts.display(join(dir, 'Chart.yaml')), text: chartYaml?.text ?? '' };
  const failure = (message: string): RenderOutcome => ({ ok: false, error: { path: fallback.path, text: fallback.text, span: { start: 0, end: 0 }, message } });
  const helm = requireTool('helm', opts.tool);
  const room = await openRoom();
  try {
    const copy = join(room.src, basename(dir) || 'chart');
    const budget = new CopyBudget();
    try {
      const fence = await realpath(dir);
      if (opts.within && !isInside(await realpath(opts.within), fence)) return failure(`helm template refused: ${opts.display(dir)} leads outside ${opts.display(opts.within) || '.'} (a symbolic link to ${fence}); not rendered`);
      await copyInside(dir, copy, fence, budget, opts.display);
    } catch (err) {
      if (err instanceof CopyRefused) return failure(`helm template refused: ${err.message}`);
      throw err;
    }
    const valuesCopies = await copyValues(opts.values ?? [], cwd, room.dir, budget, opts.display);
    const name = chartName(copy);
    const release = opts.release ?? (name && RELEASE.test(name) && name.length <= 53 ? name : 'release');
    if (!RELEASE.test(release) || release.length > 53) throw new Error(`--release "${release}" is not a valid release name (lowercase letters, digits and "-", at most 53)`);
    let result;
    try {
      result = await runBounded(helm, helmArgs(copy, release, opts, valuesCopies), { cwd: room.src, env: room.env, limits: opts.limits ?? DEFAULT_RUN_LIMITS, signal: opts.signal });
    } catch (err) {
      if (err instanceof RunLimitError) return failure(`helm template stopped: ${err.message}`);
      throw err;
    }
    // helm names the room's copy; the user knows the original.
    if (result.code !== 0) return { ok: false, error: helmError(result.stderr.split(copy).join(dir), dir, fallback, opts.display) };
    const templates = new Map<string, SourceText>();
    for (const m of result.stdout.matchAll(/^# Source: [^/\n]+\/(.+)$/gm)) {
      const rel = m[1]!.trim();
      if (templates.has(rel)) continue;
      const file = readInside(dir, rel);
      if (file) templates.set(rel, { path: opts.display(file.abs), text: file.text });
    }
    return { ok: true, set: helmRenderedSet(result.stdout, templates, fallback, `chart ${name ?? opts.display(dir)} (helm template ${release})`) };
  } finally {
    await room.close();
  }
}

/** The --values files, copied into the room like the chart (a link may not leave the folder they are named in). */
async function copyValues(values: string[], cwd: string, room: string, budget: CopyBudget, display: (abs: string) => string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, v] of values.entries()) {
    const abs = resolve(cwd, v);
    const dest = join(room, `values-${i}.yaml`);
    try {
      await copyInside(abs, dest, await realpath(operandFence(cwd, abs)), budget, display);
    } catch (err) {
      if (err instanceof CopyRefused) throw new Error(`--values ${v}: ${err.message}`, { cause: err });
      throw new Error(`--values ${v}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
    out.push(dest);
  }
  return out;
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
