/**
 * Chart and overlay operands of `check` and `--manifests`: a directory with Chart.yaml is rendered with `helm template`,
 * one with a kustomization with `kustomize build`; everything else stays a file, directory or glob.
 */
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { analyzeText, type AnalyzeOptions } from '../core/engine/analyze';
import { withFingerprintKeys } from '../core/engine/findingKey';
import { LineIndex } from '../core/engine/text/lineIndex';
import { renderChart } from '../core/render/helm';
import { inputKind } from '../core/render/inputs';
import { buildOverlay } from '../core/render/kustomize';
import { mapRenderedFindings, renderFailureFindings } from '../core/render/map/findings';
import type { RenderOutcome } from '../core/render/outcome';
import { MissingToolError } from '../core/render/tools';
import { UsageError } from './errors';
import type { FileReport } from './report';
import { errorText } from '../core/engine/text/errorText';

export interface RenderFlags {
  release?: string | undefined;
  namespace: string;
  values: string[];
  set: string[];
}

export interface Partitioned {
  plain: string[];
  rendered: { dir: string; kind: 'chart' | 'kustomize' }[];
}

/** Splits operands into charts/overlays (directories) and the rest. */
export async function partitionOperands(operands: string[], cwd: string): Promise<Partitioned> {
  const out: Partitioned = { plain: [], rendered: [] };
  for (const op of operands) {
    const abs = resolve(cwd, op);
    const info = /[*?{[]/.test(op) ? undefined : await stat(abs).catch(() => undefined);
    const kind = info?.isDirectory() ? inputKind(abs) : 'plain';
    if (kind === 'plain') out.plain.push(op);
    else out.rendered.push({ dir: abs, kind });
  }
  return out;
}

export async function render(dir: string, kind: 'chart' | 'kustomize', flags: RenderFlags, cwd: string): Promise<RenderOutcome> {
  const display = (abs: string) => relative(cwd, abs) || abs;
  try {
    if (kind === 'chart') return await renderChart(dir, { release: flags.release, namespace: flags.namespace, values: flags.values, set: flags.set, display }, cwd);
    return await buildOverlay(dir, { display, allowedRoot: cwd }, cwd);
  } catch (err) {
    // No binary: a usage problem of this machine (exit 2), with how to install.
    if (err instanceof MissingToolError) throw new UsageError(err.message);
    throw new UsageError(`${display(dir)}: ${errorText(err)}`);
  }
}

/**
 * Checks a rendered chart or overlay: findings on the rendered text, reported on the files they came from. With `keys`,
 * each finding's fingerprint key is taken on the rendered objects first (the template has no objects of its own).
 */
export function checkRendered(outcome: RenderOutcome, options: AnalyzeOptions, keys = false): FileReport[] {
  if (!outcome.ok) return [renderFailureFindings(outcome.error)].map((g) => ({ path: g.file.path, findings: g.findings, objects: [], lineIndex: new LineIndex(g.file.text) }));
  const analysed = analyzeText(outcome.set.text, options);
  const groups = mapRenderedFindings(outcome.set, keys ? withFingerprintKeys(analysed.findings, analysed.objects, outcome.set.text) : analysed.findings);
  if (groups.length === 0) {
    // A clean render still counts as checked files in the summary.
    return outcome.set.files().slice(0, 1).map((f) => ({ path: f.path, findings: [], objects: [], lineIndex: new LineIndex(f.text) }));
  }
  return groups.map((g) => ({ path: g.file.path, findings: g.findings, objects: [], lineIndex: new LineIndex(g.file.text) }));
}

export { renderedKinds } from '../core/render/kinds';
