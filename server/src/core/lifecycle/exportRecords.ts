// Where this tool itself exported each identity's kubeconfig, kept on the operator's machine (CLI: a 0600 JSON
// file under the config directory; VS Code: globalState). Rotate and revoke trust this record, never the
// ServiceAccount's annotations: anyone who may patch a ServiceAccount can rewrite those.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { errorText } from '../engine/text/errorText';
import { ANNOTATIONS } from './types';

export interface ExportRecord {
  /** The target as the CLI writes it (`github:...`, `gitlab:...`, `vault:...`, `file:/ABSOLUTE`), or `vscode:KEY`. */
  readonly target: string;
  /** How a GitLab variable was written (the target does not say). */
  readonly gitlabMode?: string;
  /** The token Secret this tool created last for the identity: deleting it (uid precondition) revokes that token. */
  readonly tokenSecret?: { readonly name: string; readonly uid: string };
  /** The token lifetime asked for (seconds) at that create or rotate: the next rotation's default. */
  readonly tokenSeconds?: number;
  /** ISO time of the export. */
  readonly at: string;
}

/** A key-value store of records; both implementations keep writes whole (never half a record). */
export interface ExportRecordStore {
  get(key: string): Promise<ExportRecord | undefined>;
  set(key: string, record: ExportRecord): Promise<void>;
  delete(key: string): Promise<void>;
  /** Where the records live, for messages ("~/.config/pipeline-rbac/exports.json"). */
  describe(): string;
}

/** What a record is kept under: the API server the identity lives on, its namespace and name. */
export function recordKey(server: string, namespace: string, name: string): string {
  let s = server.trim();
  try {
    const u = new URL(s);
    s = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    // not a URL: keep it as given
  }
  return `${s} ${namespace}/${name}`;
}

/** `$XDG_CONFIG_HOME/pipeline-rbac/exports.json`, else `~/.config/pipeline-rbac/exports.json`. */
export function defaultRecordsPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const base = env['XDG_CONFIG_HOME'] && env['XDG_CONFIG_HOME'].startsWith('/') ? env['XDG_CONFIG_HOME'] : join(env['HOME'] || homedir(), '.config');
  return join(base, 'pipeline-rbac', 'exports.json');
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

function isRecord(v: unknown): v is ExportRecord {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  if (typeof r['target'] !== 'string' || typeof r['at'] !== 'string') return false;
  if (r['gitlabMode'] !== undefined && typeof r['gitlabMode'] !== 'string') return false;
  if (r['tokenSeconds'] !== undefined && typeof r['tokenSeconds'] !== 'number') return false;
  const t = r['tokenSecret'];
  if (t !== undefined && (!t || typeof t !== 'object' || typeof (t as Record<string, unknown>)['name'] !== 'string' || typeof (t as Record<string, unknown>)['uid'] !== 'string')) return false;
  return true;
}

export class ExportRecordsError extends Error {
  override readonly name = 'ExportRecordsError';
}

/** The CLI's records: one JSON object, written 0600 through a temp file and rename (directory 0700). */
export class FileExportRecords implements ExportRecordStore {
  constructor(readonly path: string) {}

  describe(): string {
    return this.path;
  }

  private async readAll(): Promise<Record<string, ExportRecord>> {
    let text: string;
    try {
      const fh = await open(this.path, 'r');
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw new ExportRecordsError(`${this.path} is not a regular file`);
        if (st.size > MAX_FILE_BYTES) throw new ExportRecordsError(`${this.path} is larger than ${MAX_FILE_BYTES} bytes`);
        text = await readFile(fh, 'utf8');
      } finally {
        await fh.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      if (e instanceof ExportRecordsError) throw e;
      throw new ExportRecordsError(`cannot read ${this.path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ExportRecordsError(`${this.path} is not valid JSON; move it away to start a new record`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ExportRecordsError(`${this.path} does not hold a JSON object`);
    const out: Record<string, ExportRecord> = Object.create(null) as Record<string, ExportRecord>;
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (isRecord(v)) out[k] = v;
    return out;
  }

  private async writeAll(all: Record<string, ExportRecord>): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.exports.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.chmod(0o600);
        await fh.writeFile(`${JSON.stringify(all, null, 2)}\n`, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw new ExportRecordsError(`cannot write ${this.path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  async get(key: string): Promise<ExportRecord | undefined> {
    const all = await this.readAll();
    return Object.prototype.hasOwnProperty.call(all, key) ? all[key] : undefined;
  }

  async set(key: string, record: ExportRecord): Promise<void> {
    const all = await this.readAll();
    all[key] = record;
    await this.writeAll(all);
  }

  async delete(key: string): Promise<void> {
    const all = await this.readAll();
    if (!Object.prototype.hasOwnProperty.call(all, key)) return;
    delete all[key];
    await this.writeAll(all);
  }
}

/** A key-value backend such as VS Code's `globalState` (get/update). */
export interface KeyValueBackend {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** Records in a key-value backend (VS Code globalState), one entry per identity under a prefix. */
export class KeyValueExportRecords implements ExportRecordStore {
  constructor(
    private readonly backend: KeyValueBackend,
    private readonly label = 'VS Code global state',
    private readonly prefix = 'pipelineRbac.exportRecord/',
  ) {}

  describe(): string {
    return this.label;
  }

  async get(key: string): Promise<ExportRecord | undefined> {
    const v = this.backend.get(this.prefix + key);
    return isRecord(v) ? v : undefined;
  }

  async set(key: string, record: ExportRecord): Promise<void> {
    await this.backend.update(this.prefix + key, record);
  }

  async delete(key: string): Promise<void> {
    await this.backend.update(this.prefix + key, undefined);
  }
}

/** What a flow needs to keep the record: the store, the identity's key, and the target the user chose. */
export interface RecordingPlan {
  readonly store: ExportRecordStore;
  readonly key: string;
  /** The target to record (absent: keep the one recorded). */
  readonly target: string;
  readonly gitlabMode?: string;
}

/**
 * The one operation that records an export (create, rotate and Export Again, in the CLI and in VS Code).
 * Never throws: the export already happened, so a failure to record is a warning the caller shows.
 */
export async function recordExport(
  plan: RecordingPlan,
  tokenSecret: { name: string; uid: string } | undefined,
  at: string,
  tokenSeconds?: number,
): Promise<string | undefined> {
  try {
    await plan.store.set(plan.key, {
      target: plan.target,
      ...(plan.gitlabMode ? { gitlabMode: plan.gitlabMode } : {}),
      ...(tokenSecret ? { tokenSecret: { name: tokenSecret.name, uid: tokenSecret.uid } } : {}),
      ...(tokenSeconds !== undefined ? { tokenSeconds } : {}),
      at,
    });
    return undefined;
  } catch (e) {
    return `The export was not recorded in ${plan.store.describe()} (${errorText(e)}): the next rotate or revoke needs the target given again.`;
  }
}

/**
 * Where a ServiceAccount's annotations claim its kubeconfig went. Cluster text anyone with `edit` can rewrite, so it is
 * quoted in messages as a hint and never used to pick a target: the one place that reads these annotations for that.
 */
export function claimedExport(annotations: Readonly<Record<string, string>> | undefined): { target?: string; store?: string } {
  const target = annotations?.[ANNOTATIONS.exportTarget];
  const store = annotations?.[ANNOTATIONS.exportedTo];
  return { ...(target ? { target } : {}), ...(store ? { store } : {}) };
}
