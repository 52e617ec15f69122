/**
 * Liveness of result keys in state data: a key stays only while a later state reads it. The
 * emitter asks whether a key is still read; it notes which keys sit in the top-level state data
 * together, so `assignShares` can bound what each may take inline.
 */
import type { MapState, TaskState } from "../asl.ts";

/** Which readers read each key, and the most keys seen present together with each. */
export class Liveness {
  private readonly readersOf = new Map<string, string[]>();
  /** For each top-level key, the most keys present in state data at once while it is. */
  readonly presence = new Map<string, number>();

  /** `readers`: result keys each reader (call id, condition id, or `result`) reads. */
  constructor(readers: ReadonlyMap<string, ReadonlySet<string>>) {
    for (const [reader, keys] of readers) {
      for (const key of keys) {
        const readers = this.readersOf.get(key);
        if (readers) readers.push(reader);
        else this.readersOf.set(key, [reader]);
      }
    }
  }

  /** True when a reader not yet emitted reads `key`. */
  isLive(key: string, emitted: ReadonlySet<string>): boolean {
    return (this.readersOf.get(key) ?? []).some((r) => !emitted.has(r));
  }

  /** Records that `keys` are present in the top-level state data together. */
  note(keys: Iterable<string> & { readonly size: number }): void {
    for (const key of keys) this.presence.set(key, Math.max(this.presence.get(key) ?? 0, keys.size));
  }
}

/** Fields a state gets once it is built and linked: a ResultSelector added later goes before them. */
const LINK_FIELDS = ["Catch", "Next", "End", "OutputPath"] as const;

/**
 * Makes `state` replace the results object with its own result under `own`, dropping every other
 * (dead) key: one state, no Pass state, and state data stops growing along a chain. A state made to
 * replace them once linked (a "no value" slot's writer, no-value-slots.ts) gets its ResultSelector
 * where a state built replacing them has it, before its `Catch` and `Next`: one layout in the console.
 */
export function replaceResults(state: TaskState | MapState, own: string): void {
  const added = !state.ResultSelector;
  state.ResultSelector = added ? { [`${own}.$`]: "$" } : { [own]: state.ResultSelector! };
  state.ResultPath = "$.results";
  if (!added) return;
  const fields = state as unknown as Record<string, unknown>;
  for (const key of LINK_FIELDS) {
    if (!(key in fields)) continue;
    const value = fields[key];
    delete fields[key];
    fields[key] = value;
  }
}
