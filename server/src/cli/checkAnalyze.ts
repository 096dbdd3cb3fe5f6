/** The analysis of `check`'s plain inputs: on worker threads for large inputs, bindings re-checked across files. */
import { analyzeText, type AnalyzeOptions } from '../core/engine/analyze';
import type { NeededPermissions } from '../core/engine/leastPrivilege/needed';
import { firstOf, resolverOf, type RoleIndex } from '../core/engine/roleIndex';
import { LineIndex } from '../core/engine/text/lineIndex';
import { UsageError } from './errors';
import { analyzeInWorkers, fileResult, PARALLEL_MIN_BYTES, workerCount, type FileResult } from './parallelCheck';
import type { FileReport } from './report';

export interface AnalyzeAllOptions {
  /** --jobs as given. */
  jobs: string | undefined;
  live: boolean;
  /** Set each finding's fingerprintKey (baseline, Code Quality). */
  keys: boolean;
  /** What the manifests need, for the workers (base.extraFindings holds the same for this thread). */
  needed: NeededPermissions | undefined;
}

/** One analysed text: a file, standard input, or the rendered output of the `rendered`-th chart or overlay operand. */
export interface AnalysisInput {
  path: string;
  text: string;
  rendered?: number;
}

/** Every input's result, in order: the same analysis for files, standard input and rendered charts and overlays. */
export async function analyzeAll(inputs: AnalysisInput[], base: AnalyzeOptions, o: AnalyzeAllOptions): Promise<FileResult[]> {
  const defaultNamespace = base.defaultNamespace ?? 'default';
  const bytes = inputs.reduce((n, t) => n + t.text.length, 0);
  const jobs = o.jobs === undefined ? undefined : Number(o.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a whole number from 1, not "${o.jobs}"`);
  const workers = jobs ?? workerCount(inputs.length);
  const rendered = inputs.map((t) => t.rendered !== undefined);
  let results: FileResult[];
  if (!o.live && workers > 1 && (jobs !== undefined || bytes >= PARALLEL_MIN_BYTES)) {
    const job = { texts: inputs.map((t) => t.text), paths: inputs.map((t) => t.path), rendered, held: base.held, severities: base.severities ?? {}, defaultNamespace, needed: o.needed, keys: o.keys };
    results = await analyzeInWorkers(job, workers);
  } else {
    results = inputs.map((t, i) => fileResult(analyzeText(t.text, optionsFor(base, t, rendered[i]!)), defaultNamespace, o.keys ? t.text : undefined));
  }
  if (base.held) recheckBindingsAcrossFiles(inputs, results, base, defaultNamespace, o.keys);
  return results;
}

/** A plain input's report (a rendered one is reported on its template and overlay files: renderInputs.ts). */
export function plainReport(t: AnalysisInput, r: FileResult): FileReport {
  return { path: t.path, findings: r.findings, objects: r.objects.map(({ at: _at, ...o }) => o), lineIndex: new LineIndex(t.text) };
}

/** Rendered output is never taken for a raw template; a file's name tells whether it is one (templates/). */
function optionsFor(base: AnalyzeOptions, t: AnalysisInput, rendered: boolean): AnalyzeOptions {
  return rendered ? { ...base, rendered: true } : { ...base, fileName: t.path };
}

/**
 * A binding's role may be defined in another of the checked files: a file whose bindings reference a role that it does
 * not define but another file does is analysed again with every file's roles known (its own roles still come first).
 */
function recheckBindingsAcrossFiles(inputs: AnalysisInput[], results: FileResult[], base: AnalyzeOptions, defaultNamespace: string, keys: boolean): void {
  const index: RoleIndex = new Map(results.flatMap((r) => r.roles));
  if (index.size === 0) return;
  const resolveRole = firstOf(base.resolveRole, resolverOf(index));
  results.forEach((r, i) => {
    const t = inputs[i]!;
    if (r.rolesElsewhere.some((k) => index.has(k))) results[i] = fileResult(analyzeText(t.text, optionsFor({ ...base, resolveRole, knownRoles: index }, t, t.rendered !== undefined)), defaultNamespace, keys ? t.text : undefined);
  });
}
