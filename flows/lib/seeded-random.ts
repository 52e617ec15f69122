/**
 * A seeded pseudo-random generator of numbers in [0, 1) (mulberry32): the same seed gives the
 * same numbers on every machine. The sample-data generators and the taxi-tips failures use it.
 */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
