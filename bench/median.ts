/** The median of the bench scripts' repeated measurements. */

/** The middle value of `xs` (the upper middle of an even count); `xs` is not reordered. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}
