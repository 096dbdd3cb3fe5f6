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

export async function analyzeAll(texts: { path: string; text: string }[], base: AnalyzeOptions, o: AnalyzeAllOptions): Promise<FileReport[]> {
  const defaultNamespace = base.defaultNamespace ?? 'default';
  const bytes = texts.reduce((n, t) => n + t.text.length, 0);
  const jobs = o.jobs === undefined ? undefined : Number(o.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a whole number from 1, not "${o.jobs}"`);
  const workers = jobs ?? workerCount(texts.length);
  let results: FileResult[];
  if (!o.live && workers > 1 && (jobs !== undefined || bytes >= PARALLEL_MIN_BYTES)) {
    const job = { texts: texts.map((t) => t.text), paths: texts.map((t) => t.path), held: base.held, severities: base.severities ?? {}, defaultNamespace, needed: o.needed, keys: o.keys };
    results = await analyzeInWorkers(job, workers);
  } else {
    results = texts.map(({ text, path }) => fileResult(analyzeText(text, { ...base, fileName: path }), defaultNamespace, o.keys ? text : undefined));
  }
  if (base.held) recheckBindingsAcrossFiles(texts, results, base, defaultNamespace, o.keys);
  return texts.map(({ path, text }, i) => ({ path, findings: results[i]!.findings, objects: results[i]!.objects, lineIndex: new LineIndex(text) }));
}

/**
 * A binding's role may be defined in another of the checked files: a file whose bindings reference a role that it does
 * not define but another file does is analysed again with every file's roles known (its own roles still come first).
 */
function recheckBindingsAcrossFiles(texts: { text: string; path: string }[], results: FileResult[], base: AnalyzeOptions, defaultNamespace: string, keys: boolean): void {
  const index: RoleIndex = new Map(results.flatMap((r) => r.roles));
  if (index.size === 0) return;
  const resolveRole = firstOf(base.resolveRole, resolverOf(index));
  results.forEach((r, i) => {
    const { text, path } = texts[i]!;
    if (r.rolesElsewhere.some((k) => index.has(k))) results[i] = fileResult(analyzeText(text, { ...base, resolveRole, fileName: path }), defaultNamespace, keys ? text : undefined);
  });
}
