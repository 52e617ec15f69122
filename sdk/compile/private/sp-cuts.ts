/**
 * Candidate cuts of a set that has no exact cut: each cut is a prefix (closed under
 * dependencies) that runs before the rest, which adds the constraint "rest waits for prefix".
 */
import type { Dag } from "./sp-dag.ts";

/** Up to this many nodes, cuts also include each node's ancestor closure. */
const WIDE = 40;

/**
 * The cuts the bounded search weighs for a small set: ASAP and ALAP level cuts, then each
 * node with its ancestors. Order matters (the first of equal cuts wins), so it is stable.
 */
export function searchCuts(dag: Dag, set: readonly number[]): number[][] {
  const asap = dag.levels(set);
  const height = heights(dag, set);
  const depth = Math.max(...asap);
  const cuts = new Map<string, number[]>();
  const add = (prefix: number[]) => {
    if (prefix.length > 0 && prefix.length < set.length) cuts.set(setKey(prefix), prefix);
  };
  for (let k = 0; k < depth; k++) {
    add(set.filter((_, i) => asap[i] <= k));
    add(set.filter((_, i) => depth - height[i] <= k));
  }
  if (set.length <= WIDE) for (const n of set) add(ancestorClosure(dag, set, n));
  return [...cuts.values()];
}

/**
 * One cut for a large set, chosen without recursing: among the prefixes of four orders (by
 * level, by reverse level, by expected finish, by expected remaining time) the one whose two
 * parts' critical paths sum least, averaged over the duration samples; ties go to the most
 * balanced cut. Costs O(samples × nodes × log nodes).
 */
export function greedyCut(dag: Dag, set: readonly number[], weights: readonly Float64Array[]): number[] {
  const samples = weights[0].length;
  const { finish, tail } = spans(dag, set, weights);
  const asap = dag.levels(set);
  const height = heights(dag, set);
  const meanOf = (xs: Float64Array, i: number) => {
    let sum = 0;
    for (let s = 0; s < samples; s++) sum += xs[i * samples + s];
    return sum / samples;
  };
  const keys: ((i: number) => number)[] = [
    (i) => asap[i],
    (i) => -height[i],
    (i) => meanOf(finish, i),
    (i) => -meanOf(tail, i),
  ];
  let best = { bound: Infinity, balance: -1, order: [] as number[], size: 0 };
  for (const key of keys) {
    const value = Float64Array.from(set, (_, i) => key(i));
    // Ties in a key never hold between a node and one it waits for, so every prefix is closed.
    const order = set.map((_, i) => i).sort((a, b) => value[a] - value[b] || a - b);
    const bounds = prefixBounds(order, finish, tail, samples);
    for (let k = 1; k < order.length; k++) {
      if (value[order[k]] === value[order[k - 1]]) continue;
      const balance = Math.min(k, order.length - k);
      if (bounds[k] < best.bound - 1e-9 || (bounds[k] < best.bound + 1e-9 && balance > best.balance))
        best = { bound: bounds[k], balance, order, size: k };
    }
  }
  return best.order
    .slice(0, best.size)
    .sort((a, b) => a - b)
    .map((i) => set[i]);
}

/** For each prefix length k of `order`: mean over samples of max finish in it + max tail after it. */
function prefixBounds(order: number[], finish: Float64Array, tail: Float64Array, samples: number): Float64Array {
  const m = order.length;
  const head = new Float64Array((m + 1) * samples);
  const rest = new Float64Array((m + 1) * samples);
  for (let k = 1; k <= m; k++)
    for (let s = 0; s < samples; s++)
      head[k * samples + s] = Math.max(head[(k - 1) * samples + s], finish[order[k - 1] * samples + s]);
  for (let k = m - 1; k >= 0; k--)
    for (let s = 0; s < samples; s++)
      rest[k * samples + s] = Math.max(rest[(k + 1) * samples + s], tail[order[k] * samples + s]);
  const bounds = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    let sum = 0;
    for (let s = 0; s < samples; s++) sum += head[k * samples + s] + rest[k * samples + s];
    bounds[k] = sum / samples;
  }
  return bounds;
}

/** Per member and sample: earliest finish from the set's sources, and longest time to its sinks. */
function spans(dag: Dag, set: readonly number[], weights: readonly Float64Array[]) {
  const samples = weights[0].length;
  const inSet = dag.tag(set);
  const local = new Map<number, number>();
  set.forEach((n, i) => local.set(n, i));
  const finish = new Float64Array(set.length * samples);
  const tail = new Float64Array(set.length * samples);
  const longest = (i: number, n: number, out: Float64Array, next: readonly number[]) => {
    for (let s = 0; s < samples; s++) {
      let before = 0;
      for (const p of next) if (dag.has(inSet, p)) before = Math.max(before, out[local.get(p)! * samples + s]);
      out[i * samples + s] = before + weights[n][s];
    }
  };
  set.forEach((n, i) => longest(i, n, finish, dag.pred[n]));
  for (let i = set.length - 1; i >= 0; i--) longest(i, set[i], tail, dag.succ[set[i]]);
  return { finish, tail };
}

/** Longest path (in nodes) from each member to a sink of `set`, indexed like `set`. */
function heights(dag: Dag, set: readonly number[]): Int32Array {
  const inSet = dag.tag(set);
  const local = new Map<number, number>();
  set.forEach((n, i) => local.set(n, i));
  const height = new Int32Array(set.length);
  for (let i = set.length - 1; i >= 0; i--)
    for (const s of dag.succ[set[i]])
      if (dag.has(inSet, s)) height[i] = Math.max(height[i], height[local.get(s)!] + 1);
  return height;
}

/** `n` and every member of `set` it waits for, ascending. */
function ancestorClosure(dag: Dag, set: readonly number[], n: number): number[] {
  const inSet = dag.tag(set);
  const found = [n];
  const seen = new Set(found);
  for (let k = 0; k < found.length; k++)
    for (const p of dag.pred[found[k]])
      if (dag.has(inSet, p) && !seen.has(p)) {
        seen.add(p);
        found.push(p);
      }
  return found.sort((a, b) => a - b);
}

/** A compact key of an ascending id set: one UTF-16 unit per id while ids stay below 65,536. */
export function setKey(set: readonly number[]): string {
  return set.at(-1)! < 0x10000 && set.length < 4096 ? String.fromCharCode(...set) : set.join(",");
}
