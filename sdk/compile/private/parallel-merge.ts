/**
 * How a Parallel state merges its branches' outputs into the results: a ResultSelector, so no Pass
 * state costs a transition. Only keys some later state reads survive the merge: state data stays small.
 */

/** What the Parallel writes, and what each branch outputs for it. */
export interface ParallelMerge {
  /**
   * Per branch, the `when` whose value is the one result it gives the merge, if so: the branch then
   * outputs that value itself, and where it gave none it ends with `OutputPath: null`, whose `{}` is
   * the "no value" the merge reads, with no state writing it (even where nothing ran before the Choice).
   * `undefined`: the branch outputs its whole results.
   */
  readonly values: readonly (string | undefined)[];
  /** The Parallel's ResultSelector (`ResultPath: "$.results"`); empty when it writes nothing. */
  readonly selector: Record<string, string>;
  /** The keys in the results after the Parallel. */
  readonly keys: readonly string[];
}

/**
 * The merge of branches that added `added[i]` to the keys present `before` the Parallel. `live`:
 * whether a later state reads a key; `isWhen`: whether a key is a `when`'s value.
 */
export function parallelMerge(
  before: ReadonlySet<string>,
  added: readonly Iterable<string>[],
  live: (key: string) => boolean,
  isWhen: (key: string) => boolean,
): ParallelMerge {
  const kept = [...before].filter(live);
  // One pass over each branch's keys: what it adds that a later state reads.
  const outs = added.map((keys) => [...keys].filter((k) => !before.has(k) && live(k)));
  const values = outs.map((out) => (out.length === 1 && isWhen(out[0]) ? out[0] : undefined));
  // The values from before the Parallel come from a branch that outputs all its results.
  let full = values.indexOf(undefined);
  if (full < 0 && kept.length) {
    full = 0;
    values[0] = undefined;
  }
  const selector: Record<string, string> = {};
  for (const k of kept) selector[`${k}.$`] = `$[${full}].${k}`;
  outs.forEach((out, i) => {
    for (const k of out) selector[`${k}.$`] = values[i] ? `$[${i}]` : `$[${i}].${k}`;
  });
  return { values, selector, keys: [...kept, ...outs.flat()] };
}
