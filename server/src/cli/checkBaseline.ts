/**
 * `check --baseline FILE` / `--write-baseline FILE` (or the config's `baseline:`): fingerprints of the findings
 * (core/shared/fingerprint.ts, paths relative to the baseline's folder so the same repository gives the same
 * fingerprints from any working directory), and the findings the baseline does not hold.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BaselineError, inBaseline, MAX_BASELINE_BYTES, parseBaseline, serializeBaseline, type Baseline } from '../core/shared/baseline';
import { fingerprintPath, fingerprints } from '../core/shared/fingerprint';
import { configBaselineText, type CheckConfig } from './checkConfig';
import { UsageError } from './errors';
import { readBounded } from './files';
import type { FileReport } from './report';

/** Each report's path as fingerprints name it, and its findings' fingerprints. */
export interface Fingerprinted {
  paths: string[];
  fingerprints: string[][];
}

/** `root`: the baseline's folder, else the config's, else the working directory; report paths are relative to cwd. */
export function fingerprintReports(reports: readonly FileReport[], root: string, cwd: string): Fingerprinted {
  const paths = reports.map((r) => fingerprintPath(root, resolve(cwd, r.path)));
  return { paths, fingerprints: reports.map((r, i) => fingerprints(paths[i]!, r.findings)) };
}

/**
 * Reads a baseline the user or the config named (`text` when already read); a missing, unreadable, foreign or
 * other-version file is an error. `name` is the path as the user wrote it, for messages.
 */
export async function readBaselineFile(path: string, text?: string, name = path): Promise<Baseline> {
  const body = text ?? (await readBounded(path, MAX_BASELINE_BYTES, 'baseline', 'write one with --write-baseline FILE', name));
  try {
    return parseBaseline(body, `baseline ${name}`);
  } catch (e) {
    throw new UsageError(e instanceof BaselineError ? e.message : String(e));
  }
}

/** Writes exactly the current findings (a fixed finding drops out); returns how many. */
export async function writeBaselineFile(path: string, reports: readonly FileReport[], fp: Fingerprinted, version: string): Promise<number> {
  const files = reports.map((r, i) => ({ path: fp.paths[i]!, findings: r.findings, fingerprints: fp.fingerprints[i]! }));
  try {
    await writeFile(path, serializeBaseline(files, `pipeline-rbac ${version}`));
  } catch (e) {
    throw new UsageError(`baseline ${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return files.reduce((n, f) => n + f.findings.length, 0);
}

/** The reports with only the findings not in the baseline (their fingerprints kept aligned), and how many were in it. */
export function withoutBaselined(reports: FileReport[], fp: Fingerprinted, baseline: Baseline): { reports: FileReport[]; fingerprints: string[][]; baselined: number } {
  let baselined = 0;
  const kept = reports.map((r, i) => {
    const fps = fp.fingerprints[i]!;
    const keep = r.findings.map((f, k) => !inBaseline(baseline, fps[k]!, f));
    baselined += keep.filter((k) => !k).length;
    return { report: { ...r, findings: r.findings.filter((_, k) => keep[k]) }, fps: fps.filter((_, k) => keep[k]) };
  });
  return { reports: kept.map((k) => k.report), fingerprints: kept.map((k) => k.fps), baselined };
}

export const baselineRoot = (path: string): string => dirname(resolve(path));

/** What check reports after the baseline: the findings, their fingerprints (aligned), and how many the baseline held. */
export interface Judged {
  reports: FileReport[];
  fingerprints: string[][];
  baselined: number;
}

/**
 * What `--write-baseline FILE`, `--baseline FILE` or the config's `baseline:` do with the reports: nothing, filter, or
 * write then report nothing new. The baseline is read before any analysis, so a bad one fails fast.
 */
export async function baselineGate(write: string | undefined, read: string | undefined, cfg: CheckConfig | undefined, cwd: string) {
  if (write !== undefined && read !== undefined) {
    throw new UsageError('--baseline and --write-baseline exclude each other: --write-baseline FILE records the findings, --baseline FILE reports what is not in it');
  }
  let baseline: Baseline | undefined;
  let path: string | undefined;
  if (write !== undefined) path = resolve(cwd, write);
  else if (read !== undefined) {
    path = resolve(cwd, read);
    baseline = await readBaselineFile(path, undefined, read);
  } else if (cfg?.config.baseline) {
    const got = await configBaselineText(cfg, cfg.config.baseline);
    path = got.path;
    baseline = await readBaselineFile(path, got.text);
  }
  return {
    /** Whether findings need fingerprint keys. */
    fingerprinted: path !== undefined,
    async apply(reports: FileReport[], version: string, fallbackRoot: string): Promise<Judged> {
      const fp = fingerprintReports(reports, path ? baselineRoot(path) : fallbackRoot, cwd);
      if (write !== undefined) {
        const n = await writeBaselineFile(path!, reports, fp, version);
        process.stderr.write(`pipeline-rbac: wrote ${n} finding(s) to the baseline ${write}\n`);
        return { reports: reports.map((r) => ({ ...r, findings: [] })), fingerprints: reports.map(() => []), baselined: n };
      }
      if (baseline) return withoutBaselined(reports, fp, baseline);
      return { reports, fingerprints: fp.fingerprints, baselined: 0 };
    },
  };
}
