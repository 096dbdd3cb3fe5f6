import type { Span } from '../model';

/** One rule item's spans, relative to the item's first character, keyed by pointer below the item ("/verbs/0"). */
export interface ItemSpans {
  spans: ReadonlyMap<string, Span>;
  offset: number;
}

/**
 * The pointer -> span map of a large Role, composed from its skeleton's map and each rule item's own map instead of
 * copied into one: `get` is what the engine does with it, and it costs O(1) here whatever the number of rules.
 * Anything that iterates gets a materialized Map, built once.
 */
export class ComposedSpans implements ReadonlyMap<string, Span> {
  private flat: Map<string, Span> | undefined;

  constructor(
    private readonly base: ReadonlyMap<string, Span>,
    private readonly items: readonly ItemSpans[],
    private readonly extra: ReadonlyMap<string, Span>,
    private readonly shift = 0,
  ) {}

  get(key: string): Span | undefined {
    const own = this.extra.get(key) ?? this.itemSpan(key) ?? this.base.get(key);
    return own && this.shift ? { start: own.start + this.shift, end: own.end + this.shift } : own;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The same map with every span moved by `by` (a document that moved in the file). */
  shifted(by: number): ComposedSpans {
    return new ComposedSpans(this.base, this.items, this.extra, this.shift + by);
  }

  private itemSpan(key: string): Span | undefined {
    if (!key.startsWith('/rules/')) return undefined;
    const slash = key.indexOf('/', 7);
    const index = Number(slash < 0 ? key.slice(7) : key.slice(7, slash));
    const item = Number.isInteger(index) ? this.items[index] : undefined;
    const s = item?.spans.get(slash < 0 ? '' : key.slice(slash));
    return s && { start: s.start + item!.offset, end: s.end + item!.offset };
  }

  private materialize(): Map<string, Span> {
    if (!this.flat) {
      const m = new Map<string, Span>();
      const put = (k: string, s: Span) => m.set(k, this.shift ? { start: s.start + this.shift, end: s.end + this.shift } : s);
      for (const [k, s] of this.base) put(k, s);
      this.items.forEach((item, i) => {
        for (const [k, s] of item.spans) put(`/rules/${i}${k}`, { start: s.start + item.offset, end: s.end + item.offset });
      });
      for (const [k, s] of this.extra) put(k, s);
      this.flat = m;
    }
    return this.flat;
  }

  get size(): number {
    return this.materialize().size;
  }
  forEach(cb: (value: Span, key: string, map: ReadonlyMap<string, Span>) => void): void {
    this.materialize().forEach((v, k) => cb(v, k, this));
  }
  entries(): MapIterator<[string, Span]> {
    return this.materialize().entries();
  }
  keys(): MapIterator<string> {
    return this.materialize().keys();
  }
  values(): MapIterator<Span> {
    return this.materialize().values();
  }
  [Symbol.iterator](): MapIterator<[string, Span]> {
    return this.materialize()[Symbol.iterator]();
  }
}
