/**
 * Debounces work per key: the latest request wins, earlier pending ones are dropped. The delay is for bursts of
 * typing: a request after a quiet spell (nothing ran or waited for the key in the last `delayMs`) runs at once, so a
 * single edit, an undo or a quick fix is not held back by a delay meant to collapse keystrokes.
 */
export class Debouncer {
  private readonly pending = new Map<string, { handle: NodeJS.Timeout | NodeJS.Immediate; timer: boolean }>();
  /** When each key's work last ran (this.now()). */
  private readonly lastRun = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  schedule(key: string, delayMs: number, run: () => void): void {
    const waiting = this.pending.get(key)?.timer === true;
    this.cancel(key);
    const last = this.lastRun.get(key);
    const quiet = !waiting && (last === undefined || this.now() - last >= delayMs);
    if (delayMs <= 0 || quiet) {
      // Still asynchronous, so a burst of changes in one tick collapses into one run.
      this.pending.set(key, { handle: setImmediate(() => this.fire(key, run)), timer: false });
      return;
    }
    this.pending.set(key, { handle: setTimeout(() => this.fire(key, run), delayMs), timer: true });
  }

  /** Drops the key's pending work, if any. */
  cancel(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    if (p.timer) clearTimeout(p.handle as NodeJS.Timeout);
    else clearImmediate(p.handle as NodeJS.Immediate);
    this.pending.delete(key);
  }

  /** Drops the key's pending work and its history (the document closed). */
  forget(key: string): void {
    this.cancel(key);
    this.lastRun.delete(key);
  }

  private fire(key: string, run: () => void): void {
    this.pending.delete(key);
    this.lastRun.set(key, this.now());
    run();
  }
}
