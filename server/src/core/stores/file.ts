// Kubeconfig written to a local file chosen by the user: mode 0600, atomically (a 0600 temp file
// in the same directory, then rename), never through a symlink. Plain text on disk, so the UI
// shows warning() before exporting here.
import { lstat, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { checkCommonValue, StoreError, type PutResult, type SecretStore } from './secretStore';
import { gitWarningFor } from './gitWorkTree';
import { Redactor } from './redact';
import type { FileTarget } from './target';

export interface FileStoreOptions {
  /** Base for relative paths; default process.cwd(). */
  readonly cwd?: string;
}

export function resolveTargetPath(path: string, cwd = process.cwd()): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;
  readonly path: string;

  constructor(target: FileTarget, options: FileStoreOptions = {}) {
    this.path = resolveTargetPath(target.path, options.cwd);
  }

  describe(): string {
    return `file ${this.path} (mode 0600)`;
  }

  warning(): string {
    return `The kubeconfig is written in plain text to ${this.path} (mode 0600: only this OS user can read it). Backups, synced folders and any program running as you can read it too, until the token expires or is revoked. Prefer a CI secret store, keep the file out of Git, and delete it when done.`;
  }

  validate(value: string): void {
    if (this.path.includes('\0')) throw new StoreError('invalid', 'The file path contains a NUL character.');
    checkCommonValue(value);
  }

  /** 'missing', 'file', or throws for symlinks and non-files. */
  private async inspect(): Promise<'missing' | 'file'> {
    let st;
    try {
      st = await lstat(this.path);
    } catch (e) {
      if (errno(e) === 'ENOENT') return 'missing';
      throw this.ioError('inspect', e);
    }
    if (st.isSymbolicLink()) {
      throw new StoreError('invalid', `${this.path} is a symbolic link; refusing to replace it. Remove the link or choose another path.`);
    }
    if (!st.isFile()) throw new StoreError('invalid', `${this.path} exists and is not a regular file.`);
    return 'file';
  }

  private ioError(action: string, e: unknown): StoreError {
    const code = errno(e);
    if (code === 'EACCES' || code === 'EPERM') return new StoreError('forbidden', `Permission denied to ${action} ${this.path} (${code}).`);
    if (code === 'ENOENT' || code === 'ENOTDIR') return new StoreError('not-found', `Cannot ${action} ${this.path}: its directory does not exist (${code}).`);
    return new StoreError('server', `Could not ${action} ${this.path}${code ? ` (${code})` : ''}.`);
  }

  put(value: string): Promise<PutResult> {
    return new Redactor().add(value, true).guard(async () => {
      this.validate(value);
      const before = await this.inspect();
      const dir = dirname(this.path);
      try {
        if (!(await stat(dir)).isDirectory()) throw new StoreError('not-found', `${dir} is not a directory.`);
      } catch (e) {
        throw e instanceof StoreError ? e : this.ioError('write', e);
      }
      const tmp = join(dir, `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        // 'wx' = O_CREAT|O_EXCL: never reuses (or follows) an existing entry at the temp name.
        const fh = await open(tmp, 'wx', 0o600);
        try {
          await fh.chmod(0o600); // independent of the umask
          await fh.writeFile(value, 'utf8');
          await fh.sync();
        } finally {
          await fh.close();
        }
        await this.inspect(); // a symlink planted meanwhile is still refused
        await rename(tmp, this.path);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e instanceof StoreError ? e : this.ioError('write', e);
      }
      const git = gitWarningFor(this.path);
      return { action: before === 'file' ? 'updated' : 'created', location: this.describe(), warnings: [this.warning(), ...(git ? [git] : [])] };
    });
  }

  async delete(): Promise<void> {
    if ((await this.inspect()) === 'missing') return;
    try {
      await unlink(this.path);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw this.ioError('delete', e);
    }
  }

  /** The file's text (a kubeconfig is small: larger files are not read). */
  async readBack(): Promise<string | undefined> {
    if ((await this.inspect()) === 'missing') return undefined;
    try {
      if ((await stat(this.path)).size > 1_000_000) return undefined;
      return await readFile(this.path, 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw this.ioError('read', e);
    }
  }

  async exists(): Promise<boolean> {
    return (await this.inspect()) === 'file';
  }
}
