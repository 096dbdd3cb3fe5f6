// What a run created, so a failure can delete exactly that (newest first) and nothing that existed before.
import type { SecretStore } from '../stores/secretStore';
import type { IdentityCluster } from './kube';
import { describeRef, type Logger, type ObjectRef } from './types';
import { errorText } from '../engine/text/errorText';

export interface RollbackOutcome {
  /** Deleted again (or already gone). */
  readonly removed: readonly string[];
  /** Could not be deleted: the user must remove these by hand. */
  readonly leftBehind: readonly { readonly what: string; readonly reason: string; readonly command?: string }[];
}

export class CreatedTracker {
  private readonly objects: ObjectRef[] = [];
  private storeCreated: SecretStore | undefined;

  add(ref: ObjectRef): void {
    this.objects.push(ref);
  }

  /** The store secret was created (not replaced) by this run: delete it on rollback. */
  addStoreSecret(store: SecretStore): void {
    this.storeCreated = store;
  }

  get created(): readonly ObjectRef[] {
    return [...this.objects];
  }

  /** Deletes everything tracked, newest first; never throws. */
  async rollback(cluster: IdentityCluster, logger: Logger): Promise<RollbackOutcome> {
    const removed: string[] = [];
    const leftBehind: { what: string; reason: string; command?: string }[] = [];
    if (this.storeCreated) {
      const what = this.storeCreated.describe();
      try {
        await this.storeCreated.delete();
        removed.push(what);
      } catch (err) {
        leftBehind.push({ what, reason: errorText(err) });
      }
    }
    for (const ref of [...this.objects].reverse()) {
      const what = describeRef(ref);
      try {
        await cluster.delete(ref);
        removed.push(what);
      } catch (err) {
        leftBehind.push({
          what,
          reason: errorText(err),
          command: `kubectl -n ${ref.namespace} delete ${ref.kind.toLowerCase()} ${ref.name}`,
        });
      }
    }
    for (const r of removed) logger.info(`rollback: deleted ${r}`);
    for (const l of leftBehind) logger.error(`rollback: could not delete ${l.what}: ${l.reason}`);
    return { removed, leftBehind };
  }
}
