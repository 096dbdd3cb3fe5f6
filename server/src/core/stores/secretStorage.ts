// Kubeconfig kept in VS Code's SecretStorage (OS keychain, per extension, not synced). This module
// does not import `vscode`: the extension passes `context.secrets`, which satisfies
// SecretStorageBackend, so the store can be tested with an in-memory map.
import { checkCommonValue, StoreError, type PutResult, type SecretStore } from './secretStore';
import { Redactor } from './redact';
import { errorText } from '../engine/text/errorText';

export interface SecretStorageBackend {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export class SecretStorageStore implements SecretStore {
  readonly kind = 'vscode' as const;

  constructor(
    private readonly backend: SecretStorageBackend,
    readonly key: string,
  ) {}

  describe(): string {
    return `VS Code SecretStorage entry "${this.key}" (OS keychain of this machine)`;
  }

  warning(): string {
    return 'VS Code keeps this in the OS keychain of this machine only; on Linux without a keyring it may be kept in memory and lost when VS Code exits.';
  }

  validate(value: string): void {
    if (!this.key.trim()) throw new StoreError('invalid', 'The SecretStorage key is empty.');
    checkCommonValue(value);
  }

  put(value: string): Promise<PutResult> {
    return new Redactor().add(value, true).guard(async () => {
      this.validate(value);
      const existed = (await this.call('read', () => this.backend.get(this.key))) !== undefined;
      await this.call('write', () => this.backend.store(this.key, value));
      return { action: existed ? 'updated' : 'created', location: this.describe(), warnings: [] };
    });
  }

  delete(): Promise<void> {
    return new Redactor().guard(() => this.call('delete', () => this.backend.delete(this.key)));
  }

  readBack(): Promise<string | undefined> {
    return new Redactor().guard(() => this.call('read', () => this.backend.get(this.key)));
  }

  async exists(): Promise<boolean> {
    return (await new Redactor().guard(() => this.call('read', () => this.backend.get(this.key)))) !== undefined;
  }

  private async call<T>(action: string, fn: () => PromiseLike<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new StoreError('server', `VS Code SecretStorage could not ${action} "${this.key}": ${errorText(e)}`);
    }
  }
}
