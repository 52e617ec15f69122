/**
 * Turns a DAG into a series-parallel schedule (sequences and Parallel branches), the only
 * shapes Step Functions can express. A series-parallel DAG maps exactly; for any other DAG some
 * edges must be added, and the cut chosen is the one with the smallest expected makespan over
 * a few seeded samples of task durations, so the schedule stays near the critical path.
 */

/** A schedule: a node, a sequence, or parallel branches. */
export type Schedule<T> =
  | { readonly kind: "node"; readonly node: T }
  | { readonly kind: "seq"; readonly items: readonly Schedule<T>[] }
  | { readonly kind: "par"; readonly branches: readonly Schedule<T>[] };

/** Weights samples per node: duration guesses used to compare cuts. */
const SAMPLES = 6;
/** Above this many nodes only level cuts are tried (keeps compile time linear-ish). */
const WIDE = 40;

interface Planned<T> {
  readonly schedule: Schedule<T>;
  readonly cost: readonly number[];
}

/**
 * Schedules `nodes` (in their given order) where `deps(n)` are the nodes `n` must wait for.
 * `weight(n)` is a relative size (e.g. tasks in a map chain).
 */
export function spSchedule<T>(
  nodes: readonly T[],
  deps: (n: T) => readonly T[],
  weight: (n: T) => number = () => 1,
): Schedule<T> {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const pred = nodes.map((n) => deps(n).flatMap((d) => (index.has(d) ? [index.get(d)!] : [])));
  const succ: number[][] = nodes.map(() => []);
  pred.forEach((ps, i) => {
    for (const p of ps) succ[p].push(i);
  });
  const weights = nodes.map((n, i) => sampleWeights(i, weight(n)));
  // Nodes come in call order, so every node's dependencies come before it.
  const ancestors: Set<number>[] = [];
  for (const [i, ps] of pred.entries()) {
    const mine = new Set<number>(ps);
    for (const p of ps) for (const a of ancestors[p]) mine.add(a);
    ancestors[i] = mine;
  }
  const memo = new Map<string, Planned<number>>();

  const plan = (set: readonly number[]): Planned<number> => {
    const key = set.join(",");
    const hit = memo.get(key);
    if (hit) return hit;
    const result = planUncached(set);
    memo.set(key, result);
    return result;
  };

  const planUncached = (set: readonly number[]): Planned<number> => {
    if (set.length === 1) return { schedule: { kind: "node", node: set[0] }, cost: weights[set[0]] };
    const members = new Set(set);
    const components = connectedComponents(set, members, pred, succ);
    if (components.length > 1) {
      const parts = components.map(plan);
      return { schedule: par(parts.map((p) => p.schedule)), cost: maxCost(parts.map((p) => p.cost)) };
    }
    // A cut where every later node already waits for every earlier one adds no constraint:
    // take it without weighing the others (a chain then schedules in one pass per node).
    const isExact = (prefix: readonly number[]) => {
      const inPrefix = new Set(prefix);
      return set.every((q) => inPrefix.has(q) || prefix.every((p) => ancestors[q].has(p)));
    };
    const sources = set.filter((n) => !pred[n].some((p) => members.has(p)));
    const sinks = new Set(set.filter((n) => !succ[n].some((m) => members.has(m))));
    const quick = [sources, set.filter((n) => !sinks.has(n))].find(
      (c) => c.length > 0 && c.length < set.length && isExact(c),
    );
    const cuts = quick ? [quick] : candidateCuts(set, members, pred, succ);
    const exact = quick ?? cuts.find(isExact);
    let best: Planned<number> | undefined;
    for (const prefix of exact ? [exact] : cuts) {
      const inPrefix = new Set(prefix);
      const first = plan(prefix);
      const second = plan(set.filter((n) => !inPrefix.has(n)));
      const cost = first.cost.map((c, i) => c + second.cost[i]);
      if (!best || mean(cost) < mean(best.cost) - 1e-9)
        best = { schedule: seq([first.schedule, second.schedule]), cost };
    }
    return best!;
  };

  const planned = plan(nodes.map((_, i) => i));
  return mapSchedule(planned.schedule, (i) => nodes[i]);
}

/** The makespan of a schedule given node durations (sum along sequences, max across branches). */
export function makespan<T>(s: Schedule<T>, duration: (n: T) => number): number {
  if (s.kind === "node") return duration(s.node);
  const parts = (s.kind === "seq" ? s.items : s.branches).map((x) => makespan(x, duration));
  return s.kind === "seq" ? parts.reduce((a, b) => a + b, 0) : Math.max(...parts);
}

/** The DAG's critical path: the longest chain of durations. */
export function criticalPath<T>(
  nodes: readonly T[],
  deps: (n: T) => readonly T[],
  duration: (n: T) => number,
): number {
  const finish = new Map<T, number>();
  const at = (n: T): number => {
    const known = finish.get(n);
    if (known !== undefined) return known;
    const f = duration(n) + Math.max(0, ...deps(n).map(at));
    finish.set(n, f);
    return f;
  };
  return Math.max(0, ...nodes.map(at));
}

function candidateCuts(
  set: readonly number[],
  members: Set<number>,
  pred: number[][],
  succ: number[][],
): number[][] {
  const asap = new Map<number, number>();
  for (const n of set)
    asap.set(n, Math.max(-1, ...pred[n].filter((p) => members.has(p)).map((p) => asap.get(p)!)) + 1);
  const height = new Map<number, number>();
  for (const n of [...set].reverse()) {
    height.set(n, Math.max(-1, ...succ[n].filter((s) => members.has(s)).map((s) => height.get(s)!)) + 1);
  }
  const depth = Math.max(...asap.values());
  const cuts = new Map<string, number[]>();
  const add = (prefix: number[]) => {
    if (prefix.length > 0 && prefix.length < set.length) cuts.set(prefix.join(","), prefix);
  };
  for (let k = 0; k < depth; k++) {
    add(set.filter((n) => asap.get(n)! <= k));
    add(set.filter((n) => depth - height.get(n)! <= k));
  }
  if (set.length <= WIDE) {
    for (const n of set) add(set.filter((m) => m === n || isAncestor(m, n, members, pred)));
  }
  return [...cuts.values()];
}

function isAncestor(a: number, b: number, members: Set<number>, pred: number[][]): boolean {
  const stack = [b];
  const seen = new Set<number>();
  while (stack.length) {
    const n = stack.pop()!;
    for (const p of pred[n]) {
      if (!members.has(p) || seen.has(p)) continue;
      if (p === a) return true;
      seen.add(p);
      stack.push(p);
    }
  }
  return false;
}

function connectedComponents(
  set: readonly number[],
  members: Set<number>,
  pred: number[][],
  succ: number[][],
): number[][] {
  const component = new Map<number, number>();
  let count = 0;
  for (const start of set) {
    if (component.has(start)) continue;
    const stack = [start];
    component.set(start, count);
    while (stack.length) {
      const n = stack.pop()!;
      for (const m of [...pred[n], ...succ[n]]) {
        if (members.has(m) && !component.has(m)) {
          component.set(m, count);
          stack.push(m);
        }
      }
    }
    count++;
  }
  const groups: number[][] = Array.from({ length: count }, () => []);
  for (const n of set) groups[component.get(n)!].push(n);
  return groups;
}

function sampleWeights(i: number, weight: number): number[] {
  // Deterministic pseudo-random durations in [0.5, 1.5) x weight: compile output must not vary.
  return Array.from({ length: SAMPLES }, (_, s) => {
    const x = Math.sin((i + 1) * 12.9898 + (s + 1) * 78.233) * 43758.5453;
    return (0.5 + (x - Math.floor(x))) * weight;
  });
}

function seq<T>(items: Schedule<T>[]): Schedule<T> {
  return { kind: "seq", items: items.flatMap((s) => (s.kind === "seq" ? s.items : [s])) };
}

function par<T>(branches: Schedule<T>[]): Schedule<T> {
  return { kind: "par", branches };
}

function maxCost(costs: readonly (readonly number[])[]): number[] {
  return costs[0].map((_, i) => Math.max(...costs.map((c) => c[i])));
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function mapSchedule<A, B>(s: Schedule<A>, f: (a: A) => B): Schedule<B> {
  if (s.kind === "node") return { kind: "node", node: f(s.node) };
  if (s.kind === "seq") return { kind: "seq", items: s.items.map((x) => mapSchedule(x, f)) };
  return { kind: "par", branches: s.branches.map((x) => mapSchedule(x, f)) };
}
