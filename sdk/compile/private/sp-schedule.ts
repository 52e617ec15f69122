/**
 * Turns a DAG into a series-parallel schedule (sequences and Parallel branches), the only
 * shapes Step Functions can express. A series-parallel DAG maps exactly; for any other DAG some
 * edges must be added: for a small set the cut chosen is the one with the smallest expected
 * makespan over a few seeded samples of task durations (a bounded search), for a large one the
 * cut whose parts' critical paths sum least, so the schedule stays near the critical path.
 */
import { greedyCut, searchCuts, setKey } from "./sp-cuts.ts";
import { Dag } from "./sp-dag.ts";

/** A schedule: a node, a sequence, or parallel branches. */
export type Schedule<T> =
  | { readonly kind: "node"; readonly node: T }
  | { readonly kind: "seq"; readonly items: readonly Schedule<T>[] }
  | { readonly kind: "par"; readonly branches: readonly Schedule<T>[] };

/** Duration samples per node, used to compare cuts. */
const SAMPLES = 6;
/** Sets up to this many nodes are scheduled by a memoized search over their cuts. */
const SEARCH = 24;
/** Plans one search may compute before it gives up and its set is cut greedily instead. */
const BUDGET = 400;
/** Thrown inside a search that ran out of budget. */
const OVER_BUDGET = Symbol("over budget");

interface Planned {
  readonly schedule: Schedule<number>;
  readonly cost: Float64Array;
}

/**
 * Schedules `nodes` (in their given order, which must list a node after its dependencies) where
 * `deps(n)` are the nodes `n` must wait for. `weight(n)` is a relative size (e.g. tasks in a
 * map chain). Near-linear: components and exact cuts are found in one pass each, small leftover
 * sets are searched exhaustively (bounded), large ones are cut greedily.
 */
export function spSchedule<T>(
  nodes: readonly T[],
  deps: (n: T) => readonly T[],
  weight: (n: T) => number = () => 1,
): Schedule<T> {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const pred = nodes.map((n) => deps(n).flatMap((d) => (index.has(d) ? [index.get(d)!] : [])));
  const planner = new Planner(
    new Dag(pred),
    nodes.map((n, i) => sampleWeights(i, weight(n))),
  );
  const planned = planner.plan(nodes.map((_, i) => i));
  return mapSchedule(planned.schedule, (i) => nodes[i]);
}

/** Plans sets of node ids; one per `spSchedule` call. */
class Planner {
  private readonly memo = new Map<string, Planned>();
  /** Plans left to the running search; undefined outside a search. */
  private remaining: number | undefined;

  constructor(
    private readonly dag: Dag,
    private readonly weights: readonly Float64Array[],
  ) {}

  plan(set: readonly number[]): Planned {
    if (set.length === 1) return { schedule: { kind: "node", node: set[0] }, cost: this.weights[set[0]] };
    if (set.length > SEARCH) return this.structured(set, false);
    const key = setKey(set);
    const hit = this.memo.get(key);
    if (hit) return hit;
    if (this.remaining === undefined) return this.searchRoot(set, key);
    if (--this.remaining < 0) throw OVER_BUDGET;
    const result = this.structured(set, true);
    this.memo.set(key, result);
    return result;
  }

  /** Starts a bounded search at `set`; past the budget the set is cut greedily instead. */
  private searchRoot(set: readonly number[], key: string): Planned {
    this.remaining = BUDGET;
    let result: Planned | undefined;
    try {
      result = this.structured(set, true);
      this.memo.set(key, result);
    } catch (e) {
      if (e !== OVER_BUDGET) throw e;
    } finally {
      this.remaining = undefined;
    }
    return result ?? this.structured(set, false);
  }

  /** Components side by side, exact cuts in sequence, then the best (or a greedy) cut. */
  private structured(set: readonly number[], search: boolean): Planned {
    const components = this.dag.components(set);
    if (components.length > 1) {
      const parts = components.map((c) => this.plan(c));
      return { schedule: par(parts.map((p) => p.schedule)), cost: maxCost(parts.map((p) => p.cost)) };
    }
    const series = this.dag.seriesParts(set);
    if (series.length > 1) return this.sequence(series.map((p) => this.plan(p)));
    if (!search) return this.cutAt(set, greedyCut(this.dag, set, this.weights));
    let best: Planned | undefined;
    for (const prefix of searchCuts(this.dag, set)) {
      const planned = this.cutAt(set, prefix);
      if (!best || mean(planned.cost) < mean(best.cost) - 1e-9) best = planned;
    }
    return best!;
  }

  /** `prefix` then the rest of `set`. */
  private cutAt(set: readonly number[], prefix: readonly number[]): Planned {
    const inPrefix = this.dag.tag(prefix);
    const rest = set.filter((n) => !this.dag.has(inPrefix, n));
    const first = this.plan(prefix);
    return this.sequence([first, this.plan(rest)]);
  }

  private sequence(parts: readonly Planned[]): Planned {
    const cost = new Float64Array(SAMPLES);
    for (const p of parts) for (let s = 0; s < SAMPLES; s++) cost[s] += p.cost[s];
    return { schedule: seq(parts.map((p) => p.schedule)), cost };
  }
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

function sampleWeights(i: number, weight: number): Float64Array {
  // Deterministic pseudo-random durations in [0.5, 1.5) x weight: compile output must not vary.
  return Float64Array.from({ length: SAMPLES }, (_, s) => {
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

function maxCost(costs: readonly Float64Array[]): Float64Array {
  return costs[0].map((_, i) => Math.max(...costs.map((c) => c[i])));
}

function mean(xs: Float64Array): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function mapSchedule<A, B>(s: Schedule<A>, f: (a: A) => B): Schedule<B> {
  if (s.kind === "node") return { kind: "node", node: f(s.node) };
  if (s.kind === "seq") return { kind: "seq", items: s.items.map((x) => mapSchedule(x, f)) };
  return { kind: "par", branches: s.branches.map((x) => mapSchedule(x, f)) };
}
