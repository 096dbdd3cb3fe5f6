/** Debounces work per key: the latest request wins, earlier pending ones are dropped. */
export class Debouncer {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  schedule(key: string, delayMs: number, run: () => void): void {
    this.cancel(key);
    if (delayMs <= 0) {
      // Still asynchronous, so a burst of changes in one tick collapses into one run.
      this.timers.set(key, setImmediate(() => this.fire(key, run)) as unknown as NodeJS.Timeout);
      return;
    }
    this.timers.set(key, setTimeout(() => this.fire(key, run), delayMs));
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) {
      clearTimeout(t);
      clearImmediate(t as unknown as NodeJS.Immediate);
      this.timers.delete(key);
    }
  }

  private fire(key: string, run: () => void): void {
    this.timers.delete(key);
    run();
  }
}
