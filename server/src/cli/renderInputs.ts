/**
 * Chart and overlay operands of `check` and `--manifests`: a directory with Chart.yaml is rendered with `helm template`,
 * one with a kustomization with `kustomize build`; everything else stays a file, directory or glob.
 */
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { LineIndex } from '../core/engine/text/lineIndex';
import { renderChart } from '../core/render/helm';
import { isInside, operandFence } from '../core/render/copyInside';
import { renderChartLines } from '../core/render/helmLines';
import { inputKind } from '../core/render/inputs';
import { buildOverlay } from '../core/render/kustomize';
import { mapRenderedFindings, renderFailureFindings } from '../core/render/map/findings';
import { documentStartSpan, type RenderedSet, type SourceText } from '../core/render/map/sourceMap';
import type { RenderOutcome } from '../core/render/outcome';
import type { Finding } from '../core/engine/model';
import { applySeverities, type SeverityOverrides } from '../core/engine/severity';
import type { FileResult } from './analyzeShare';
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

/** `lines`: also find the exact template lines (a second, tagged render); what a chart deploys needs only its documents. */
export async function render(dir: string, kind: 'chart' | 'kustomize', flags: RenderFlags, cwd: string, lines = true): Promise<RenderOutcome> {
  const display = (abs: string) => relative(cwd, abs) || abs;
  try {
    const opts = { release: flags.release, namespace: flags.namespace, values: flags.values, set: flags.set, display, within: operandFence(cwd, dir, true) };
    if (kind === 'chart') return await (lines ? renderChartLines(dir, opts, cwd) : renderChart(dir, opts, cwd));
    // An overlay and its bases stay inside the working directory (or, named outside it, inside the overlay).
    return await buildOverlay(dir, { display, allowedRoot: isInside(cwd, dir) ? cwd : dir }, cwd);
  } catch (err) {
    // No binary: a usage problem of this machine (exit 2), with how to install.
    if (err instanceof MissingToolError) throw new UsageError(err.message);
    throw new UsageError(`${display(dir)}: ${errorText(err)}`);
  }
}

/** Renders the chart and overlay operands, one at a time (each render is a bounded child process). */
export async function renderAll(rendered: Partitioned['rendered'], flags: RenderFlags, cwd: string): Promise<RenderOutcome[]> {
  const out: RenderOutcome[] = [];
  for (const r of rendered) out.push(await render(r.dir, r.kind, flags, cwd));
  return out;
}

/**
 * A rendered chart or overlay, analysed like any input (`result`), reported on the files it came from: each finding on
 * the template or overlay line that produced it, each object on its file. A failed render is its render-error; a render
 * without RBAC objects says so on Chart.yaml (or the kustomization), so a gate never reads it as "checked, no problems".
 */
export function renderedReports(outcome: RenderOutcome, result: FileResult | undefined, severities: SeverityOverrides = {}): FileReport[] {
  if (!outcome.ok || !result) {
    const failure = outcome.ok ? undefined : renderFailureFindings(outcome.error);
    return failure ? [{ path: failure.file.path, findings: failure.findings, objects: [], lineIndex: new LineIndex(failure.file.text) }] : [];
  }
  const set = outcome.set;
  const byPath = new Map<string, FileReport>();
  const report = (file: SourceText): FileReport => {
    let r = byPath.get(file.path);
    if (!r) byPath.set(file.path, (r = { path: file.path, findings: [], objects: [], lineIndex: new LineIndex(file.text) }));
    return r;
  };
  const files = new Map(set.files().map((f) => [f.path, f]));
  for (const g of mapRenderedFindings(set, result.findings)) report(g.file).findings.push(...g.findings);
  for (const o of result.objects) {
    const file = files.get(set.map({ start: o.at, end: o.at })?.path ?? '') ?? set.root;
    report(file).objects.push({ kind: o.kind, name: o.name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}) });
  }
  if (!result.objects.some((o) => o.kind !== 'ServiceAccount')) {
    const root = report(set.root);
    root.findings.unshift(...applySeverities([noRbacFinding(set)], severities));
  }
  // A clean render with no object at all still counts as one checked file in the summary.
  if (byPath.size === 0) report(set.root);
  return [...byPath.values()];
}

function noRbacFinding(set: RenderedSet): Finding {
  const span = documentStartSpan(new LineIndex(set.root.text), 0);
  const kinds = 'no Role, ClusterRole, RoleBinding or ClusterRoleBinding';
  const message =
    set.tool === 'helm'
      ? `helm template rendered 0 RBAC objects with these values (${kinds}), so no RBAC was checked; RBAC is often behind a value such as rbac.create`
      : `kustomize build rendered 0 RBAC objects (${kinds}), so no RBAC was checked`;
  return { ruleId: 'no-rbac-rendered', severity: 'information', span, message };
}

export { renderedKinds } from '../core/render/kinds';
