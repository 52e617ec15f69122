/**
 * The result keys in a block's state data, as the emitter tracks them. A Parallel branch starts
 * with the keys present before the Parallel: it shares that set (never changed while branches
 * emit) and records only its own keys, so a wide Parallel over a large state does not copy the
 * state's keys once per branch.
 */
export class KeySet implements Iterable<string> {
  private readonly own = new Set<string>();

  constructor(private base?: ReadonlySet<string>) {}

  get size(): number {
    return (this.base?.size ?? 0) + this.own.size;
  }

  has(key: string): boolean {
    return this.own.has(key) || (this.base?.has(key) ?? false);
  }

  add(key: string): void {
    if (!this.base?.has(key)) this.own.add(key);
  }

  clear(): void {
    this.base = undefined;
    this.own.clear();
  }

  /** The keys not in the base it was made from (all of them once it was cleared). */
  added(): Iterable<string> {
    return this.own;
  }

  /** A plain copy, for a Parallel's branches to share. */
  snapshot(): Set<string> {
    const copy = new Set(this.base);
    for (const key of this.own) copy.add(key);
    return copy;
  }

  *[Symbol.iterator](): Iterator<string> {
    if (this.base) yield* this.base;
    yield* this.own;
  }
}
