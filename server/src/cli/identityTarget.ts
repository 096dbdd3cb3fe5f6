// Where `identity rotate` and `identity revoke --delete-secret` write or delete the kubeconfig: the --export the user
// gave, or the target this machine recorded when it exported, used only when the user says so
// (--use-recorded-target) and printed first. The ServiceAccount's annotations are shown as a hint, never used.
import { defaultRecordsPath, FileExportRecords, type ExportRecord } from '../core/lifecycle/exportRecords';
import { KubeIdentityCluster } from '../core/lifecycle/kube';
import { claimedExport } from '../core/lifecycle/exportRecords';
import type { LoadedKubeconfig } from '../core/live/kubeconfig';
import { resolveTargetPath } from '../core/stores/file';
import type { GitLabMode } from '../core/stores/gitlabRules';
import { formatExportTarget, parseExportTarget } from '../core/stores/target';
import { UsageError } from './errors';
import { errorText } from '../core/engine/text/errorText';

export interface TargetQuestion {
  readonly identity: string;
  /** What the target is for ("rotate", "delete the stored kubeconfig"). */
  readonly purpose: string;
  readonly given?: string;
  readonly gitlabMode?: GitLabMode;
  readonly useRecorded: boolean;
  readonly record?: ExportRecord;
  /** Where the record lives, for the message. */
  readonly recordsPath: string;
  /** The export-target annotation (cluster text): a hint in the message only. */
  readonly claimed?: string;
}

export type TargetAnswer =
  | { readonly ok: true; readonly spec: string; readonly gitlabMode?: GitLabMode; readonly source: 'flag' | 'record'; readonly notice?: string }
  | { readonly ok: false; readonly message: string };

const GITLAB_MODES: readonly string[] = ['file', 'masked-base64', 'masked'];

/** Pure: the decision and its message. */
export function resolveTarget(q: TargetQuestion): TargetAnswer {
  if (q.given) return { ok: true, spec: q.given, source: 'flag', ...(q.gitlabMode ? { gitlabMode: q.gitlabMode } : {}) };
  const hint = q.claimed
    ? ` The ServiceAccount's annotation claims an export to ${JSON.stringify(q.claimed)}: that is cluster text anyone who may edit the ServiceAccount can change, so it is not used.`
    : '';
  const r = q.record;
  if (!r || r.target.startsWith('vscode:')) {
    return { ok: false, message: `This machine has no record of exporting ${q.identity} from the CLI (${q.recordsPath}); give --export TARGET to ${q.purpose}.${hint}` };
  }
  const mode = q.gitlabMode ?? (r.gitlabMode && GITLAB_MODES.includes(r.gitlabMode) ? (r.gitlabMode as GitLabMode) : undefined);
  const shown = `${r.target}${mode && r.target.startsWith('gitlab:') ? ` (--gitlab-mode ${mode})` : ''}`;
  if (!q.useRecorded) {
    return {
      ok: false,
      message: `${q.identity} was exported from this machine to ${shown} (recorded ${r.at} in ${q.recordsPath}). To ${q.purpose} there, run again with --use-recorded-target; or give --export TARGET.`,
    };
  }
  return { ok: true, spec: r.target, source: 'record', ...(mode ? { gitlabMode: mode } : {}), notice: `Using the export target this machine recorded for ${q.identity} (${r.at}): ${shown}` };
}

/** The form recorded on this machine: a file target's path made absolute, so the record names one file. */
export function recordableSpec(spec: string, cwd: string): string {
  const t = parseExportTarget(spec);
  return t.kind === 'file' ? formatExportTarget({ kind: 'file', path: resolveTargetPath(t.path, cwd) }) : formatExportTarget(t);
}

/** This machine's export records (`$XDG_CONFIG_HOME/pipeline-rbac/exports.json`). */
export function cliRecords(env: Readonly<Record<string, string | undefined>>): FileExportRecords {
  return new FileExportRecords(defaultRecordsPath(env));
}

/** --export, or this machine's record with --use-recorded-target (printed); else a usage error that shows both. */
export async function chooseTarget(
  cmd: { namespace: string; name: string; export?: string; useRecorded: boolean; gitlabMode?: GitLabMode },
  purpose: string,
  loaded: LoadedKubeconfig,
  key: string,
  env: Readonly<Record<string, string | undefined>>,
  stderr: (s: string) => void,
): Promise<{ spec: string; gitlabMode?: GitLabMode }> {
  const records = cliRecords(env);
  const q = { identity: `${cmd.namespace}/${cmd.name}`, purpose, useRecorded: cmd.useRecorded, recordsPath: records.describe(), ...(cmd.export ? { given: cmd.export } : {}), ...(cmd.gitlabMode ? { gitlabMode: cmd.gitlabMode } : {}) };
  if (cmd.export) return { spec: cmd.export, ...(cmd.gitlabMode ? { gitlabMode: cmd.gitlabMode } : {}) };
  const record = await records.get(key).catch((e: unknown) => {
    throw new UsageError(`cannot read this machine's export records: ${errorText(e)}; give --export TARGET`);
  });
  let answer = resolveTarget({ ...q, ...(record ? { record } : {}) });
  if (!answer.ok) {
    // Only for the message: what the ServiceAccount claims (never used).
    const sa = await new KubeIdentityCluster(loaded.kc).readServiceAccount(cmd.namespace, cmd.name).catch(() => undefined);
    const claimed = claimedExport(sa?.metadata?.annotations).target;
    answer = resolveTarget({ ...q, ...(record ? { record } : {}), ...(claimed ? { claimed } : {}) });
    if (!answer.ok) throw new UsageError(answer.message);
  }
  if (answer.notice) stderr(`${answer.notice}\n`);
  return { spec: answer.spec, ...(answer.gitlabMode ? { gitlabMode: answer.gitlabMode } : {}) };
}
