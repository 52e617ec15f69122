/** Seeded random flows and DAGs for the compiler's property tests and benchmarks. */
import {
  type AnyFlow,
  flow,
  type Ref,
  type StateMachineDefinition,
  task,
  unmapped,
  when,
} from "../../sdk/index.ts";

/** A small deterministic PRNG (LCG), so every run sees the same flows. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface RandomDag {
  readonly flow: AnyFlow;
  /** deps[i]: the nodes node i reads. */
  readonly deps: readonly (readonly number[])[];
  /** Duration of each node. */
  readonly durations: readonly number[];
}

const node = task("node", (...inputs: number[]) => inputs.reduce((a, b) => a + b, 1));

/** A random DAG of task calls: node i reads each earlier node with probability p. */
export function randomDag(seed: number): RandomDag {
  const r = rng(seed);
  const n = 5 + Math.floor(r() * 20);
  const p = 0.1 + r() * 0.3;
  const deps = Array.from({ length: n }, (_, i) =>
    Array.from({ length: i }, (_, j) => j).filter(() => r() < p),
  );
  const durations = deps.map(() => 1 + r() * 9);
  const f = flow(`dag-${seed}`, () => {
    const refs: Ref<number>[] = [];
    for (const d of deps) refs.push(node(...d.map((j) => refs[j])));
  });
  return { flow: f, deps, durations };
}

/** The makespan of a compiled definition: sum along Next chains, max across Parallel branches. */
export function definitionMakespan(def: StateMachineDefinition, duration: (state: string) => number): number {
  let total = 0;
  let name: string | undefined = def.StartAt;
  while (name) {
    const state: StateMachineDefinition["States"][string] = def.States[name];
    if (state.Type === "Task") total += duration(name);
    else if (state.Type === "Parallel")
      total += Math.max(
        ...state.Branches.map((b: StateMachineDefinition) => definitionMakespan(b, duration)),
      );
    else if (state.Type !== "Pass") throw new Error(`unexpected ${state.Type} in a task-only DAG`);
    name = "Next" in state ? state.Next : undefined;
  }
  return total;
}

const step = task("step", (x: number) => x + 1);
const items = task("items", (n: number) => Array.from({ length: n }, (_, i) => i));
const inc = task("inc", (x: number) => x + 1);
const isEven = task("is-even", (x: number) => x % 2 === 0);

/** A random flow made only of tasks, maps (100-150 items, chains of 1-3 tasks) and conditions. */
export function randomTaskMapWhenFlow(seed: number): AnyFlow {
  const r = rng(seed);
  const segments = 2 + Math.floor(r() * 4);
  return flow(`tmw-${seed}`, () => {
    let last: Ref<number> = step(0);
    for (let s = 0; s < segments; s++) {
      const mapped = () => {
        let list: Ref<number[]> = inc.map(items(100 + Math.floor(r() * 50)));
        const chain = Math.floor(r() * 3);
        for (let c = 0; c < chain; c++) list = inc.map(list);
        return list;
      };
      if (r() < 0.4) {
        when(
          isEven(last),
          () => {
            mapped();
          },
          () => {
            mapped();
          },
        );
      } else {
        mapped();
      }
      last = step(last);
    }
    void unmapped;
  });
}

/**
 * A large random DAG of `n` task calls: each (after the first) reads 1-3 earlier ones, drawn
 * from the whole prefix, or from the last `window` calls when given (a "local" DAG).
 */
export function bigDag(n: number, seed: number, window?: number): RandomDag {
  const r = rng(seed);
  const deps = Array.from({ length: n }, (_, i) => {
    if (i === 0) return [];
    const from = window ? Math.max(0, i - window) : 0;
    const picks = new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => from + Math.floor(r() * (i - from))));
    return [...picks].sort((a, b) => a - b);
  });
  const durations = deps.map(() => 1 + r() * 9);
  const f = flow(`big-dag-${n}-${seed}`, () => {
    const refs: Ref<number>[] = [];
    for (const d of deps) refs.push(node(...d.map((j) => refs[j])));
  });
  return { flow: f, deps, durations };
}

/** A chain of `n` task calls, each reading the one before. */
export function bigChain(n: number): AnyFlow {
  return flow(`chain-${n}`, () => {
    let last: Ref<number> = step(0);
    for (let i = 1; i < n; i++) last = step(last);
  });
}

const collect = task("collect", (xs: number[]) => xs);

/** About `n` tasks as Map states of four chained mapped calls, each Map's list collected by a task. */
export function bigMapChains(n: number): AnyFlow {
  return flow(`map-chains-${n}`, () => {
    let list: Ref<number[]> = items(10);
    for (let i = 1; i < n; i += 5) {
      for (let c = 0; c < 4; c++) list = inc.map(list);
      list = collect(list);
    }
  });
}
