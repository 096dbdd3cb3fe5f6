/**
 * What a workspace index reads, as a job that runs on a worker thread (indexWorker.ts): the files and their parses
 * never block the server's thread, so typing stays responsive while a large or hostile workspace loads. Only plain
 * data goes in and out.
 */
import { manifestKinds, type ManifestKind } from '../core/engine/leastPrivilege/needed';
import { indexRoles, type RoleIndex } from '../core/engine/roleIndex';
import { parseRbacText } from '../core/engine/yaml/parseCache';
import { forEachWorkspaceFile, SCAN_LIMITS, type ScanLimits, type ScanReport } from '../core/shared/workspaceFiles';

export type IndexJob =
  | { kind: 'roles'; folders: string[]; defaultNamespace: string; limits?: ScanLimits }
  | { kind: 'manifests'; folders: string[]; globs: string[]; limits?: ScanLimits };

export type IndexResult = { kind: 'roles'; index: RoleIndex; report: ScanReport } | { kind: 'manifests'; kinds: ManifestKind[]; report: ScanReport };

/**
 * Files worth parsing for roles: a line `kind: Role` or `kind: ClusterRole`. Spaces and tabs only: `^\s*` with the
 * m flag retries every blank line from each line start, quadratic in a file of empty lines.
 */
export const MIGHT_HOLD_A_ROLE = /^[ \t]*kind:[ \t]*["']?(Cluster)?Role["']?[ \t]*\r?$/m;

export async function runIndexJob(job: IndexJob): Promise<IndexResult> {
  const limits = job.limits ?? SCAN_LIMITS;
  if (job.kind === 'roles') {
    const index: RoleIndex = new Map();
    const report = await forEachWorkspaceFile(
      job.folders,
      ['**/*.yaml', '**/*.yml'],
      (text) => {
        if (MIGHT_HOLD_A_ROLE.test(text)) indexRoles(parseRbacText(text).objects, job.defaultNamespace, index);
      },
      limits,
    );
    return { kind: 'roles', index, report };
  }
  const kinds: ManifestKind[] = [];
  const report = await forEachWorkspaceFile(job.folders, job.globs, (text, path) => void kinds.push(...manifestKinds(text, path)), limits);
  return { kind: 'manifests', kinds, report };
}

/** One line for the server's log about what a scan left out, or undefined when it read everything. */
export function describeReport(what: string, r: ScanReport): string | undefined {
  const parts: string[] = [];
  if (r.refusedGlobs.length) parts.push(`globs that reach outside the workspace folder were ignored: ${r.refusedGlobs.map((g) => JSON.stringify(g)).join(', ')}`);
  if (r.skippedCount) parts.push(`${r.skippedCount} file(s) skipped (${r.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')}${r.skippedCount > r.skipped.length ? '; ...' : ''})`);
  if (r.stoppedBecause) parts.push(`stopped after ${r.read} file(s) because ${r.stoppedBecause}`);
  return parts.length ? `pipeline-rbac: ${what}: ${parts.join('; ')}` : undefined;
}
