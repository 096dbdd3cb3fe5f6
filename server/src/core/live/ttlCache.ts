/** A small cache whose entries expire; in-flight loads are shared so a burst of requests makes one call. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly inflight = new Map<string, Promise<V>>();

  constructor(private ttlMs: number, private readonly now: () => number = Date.now) {}

  setTtl(ttlMs: number): void {
    this.ttlMs = ttlMs;
  }

  /** The cached value if fresh. */
  peek(key: string): V | undefined {
    const e = this.entries.get(key);
    return e && e.expires > this.now() ? e.value : undefined;
  }

  /**
   * The cached value even if it has expired, until a load replaces it: what analyses use, so findings from the
   * cluster do not vanish for the moment a re-read takes and come back (the re-read is decided by `has`).
   */
  peekStale(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  async load(key: string, loader: () => Promise<V>): Promise<V> {
    const fresh = this.peek(key);
    if (fresh !== undefined) return fresh;
    let p = this.inflight.get(key);
    if (!p) {
      p = loader().then(
        (value) => {
          this.entries.set(key, { value, expires: this.now() + this.ttlMs });
          this.inflight.delete(key);
          return value;
        },
        (err: unknown) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, p);
    }
    return p;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  clear(): void {
    this.entries.clear();
  }
}
