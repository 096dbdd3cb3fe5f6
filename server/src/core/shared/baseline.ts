/**
 * The baseline: the findings a repository has accepted for now (`check --write-baseline FILE`), so a gate reports only
 * what is new. A JSON file of fingerprints (fingerprint.ts) with the rule, path, object and message beside each for the
 * reader; only the fingerprint (and a capped rule's count) is compared. Parsing is pure and strict: a baseline that is
 * not this tool's, of another version, or damaged is an error, never an empty baseline that would pass everything.
 */
import type { Finding } from '../engine/model';
import { FINGERPRINT_VERSION } from './fingerprint';

/** The format version written and the only one read. */
export const BASELINE_VERSION = 1;
/** The most a baseline file may hold (checked before it is read). */
export const MAX_BASELINE_BYTES = 16 * 1024 * 1024;

export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  path: string;
  /** "Role team-a/ci" when the finding is in an RBAC object. */
  object?: string;
  message: string;
  /** The "N more" finding of a rule capped per file: the count, which may shrink but not grow. */
  omitted?: number;
}

export interface Baseline {
  entries: Map<string, BaselineEntry>;
}

export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a baseline file's text; `name` is how messages name the file. Throws BaselineError saying what is wrong. */
export function parseBaseline(text: string, name: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`${name}: not a pipeline-rbac baseline (not JSON: ${(e as Error).message})`);
  }
  if (!isRecord(value) || !('pipelineRbacBaseline' in value)) throw new BaselineError(`${name}: not a pipeline-rbac baseline (no "pipelineRbacBaseline" version field)`);
  const version = value.pipelineRbacBaseline;
  if (version !== BASELINE_VERSION || value.fingerprintVersion !== FINGERPRINT_VERSION) {
    throw new BaselineError(
      `${name}: baseline version ${JSON.stringify(version)} (fingerprints ${JSON.stringify(value.fingerprintVersion)}) is not the version this pipeline-rbac reads (${BASELINE_VERSION}, fingerprints ${FINGERPRINT_VERSION}); write it again with --write-baseline`,
    );
  }
  if (!Array.isArray(value.findings)) throw new BaselineError(`${name}: "findings" must be a list`);
  const entries = new Map<string, BaselineEntry>();
  value.findings.forEach((e: unknown, i: number) => {
    if (!isRecord(e) || typeof e.fingerprint !== 'string' || !/^[0-9a-f]{32}$/.test(e.fingerprint)) {
      throw new BaselineError(`${name}: findings[${i}] has no valid "fingerprint" (32 hexadecimal digits)`);
    }
    const omitted = typeof e.omitted === 'number' && Number.isInteger(e.omitted) && e.omitted > 0 ? e.omitted : undefined;
    entries.set(e.fingerprint, {
      fingerprint: e.fingerprint,
      ruleId: typeof e.ruleId === 'string' ? e.ruleId : '',
      path: typeof e.path === 'string' ? e.path : '',
      ...(typeof e.object === 'string' ? { object: e.object } : {}),
      message: typeof e.message === 'string' ? e.message : '',
      ...(omitted !== undefined ? { omitted } : {}),
    });
  });
  return { entries };
}

/** Whether a finding with this fingerprint is accepted by the baseline (a capped rule's count may not have grown). */
export function inBaseline(baseline: Baseline, fingerprint: string, f: Finding): boolean {
  const e = baseline.entries.get(fingerprint);
  if (!e) return false;
  const omitted = f.data?.omitted;
  return omitted === undefined || (e.omitted !== undefined && omitted <= e.omitted);
}

/** One file's findings as the baseline records them. */
export interface BaselineFile {
  path: string;
  findings: readonly Finding[];
  fingerprints: readonly string[];
}

/** The baseline file's text for exactly these findings (a fixed finding is not in it): sorted, so diffs stay small. */
export function serializeBaseline(files: readonly BaselineFile[], generatedBy: string): string {
  const entries: BaselineEntry[] = [];
  for (const file of files) {
    file.findings.forEach((f, i) => {
      const object = objectName(f.fingerprintKey);
      const omitted = f.data?.omitted;
      entries.push({
        fingerprint: file.fingerprints[i]!,
        ruleId: f.ruleId,
        path: file.path,
        ...(object ? { object } : {}),
        message: f.message,
        ...(omitted !== undefined ? { omitted } : {}),
      });
    });
  }
  entries.sort((a, b) => cmp(a.path, b.path) || cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint));
  const doc = { pipelineRbacBaseline: BASELINE_VERSION, fingerprintVersion: FINGERPRINT_VERSION, generatedBy, findings: entries };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** "Role team-a/ci" from a finding's key (engine/findingKey.ts), when the finding is in an object. */
function objectName(key: string | undefined): string | undefined {
  try {
    const o = key ? (JSON.parse(key) as unknown[])[1] : undefined;
    if (!Array.isArray(o) || o.length !== 3) return undefined;
    const [kind, ns, name] = o as string[];
    return `${kind} ${ns ? `${ns}/` : ''}${name}`;
  } catch {
    return undefined;
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
