/**
 * Compiler scaling: CPU time of `compile` (graph building included) on chains, random DAGs and
 * map chains of 100 and 1,000 tasks with the growth exponent between them, a 10,000-task chain,
 * and makespan / critical path of 1,000-task random DAGs. CPU time, not wall time, because the
 * machine is shared: the process's own CPU is what load does not inflate.
 */
import { criticalPath } from "../sdk/compile/private/sp-schedule.ts";
import { type AnyFlow, compile } from "../sdk/index.ts";
import { bigChain, bigDag, bigMapChains, definitionMakespan } from "../test/support/random-flows.ts";
import { median } from "./median.ts";

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * CPU time of compiling one fresh `n`-task flow (so its graph is built too), over a batch that
 * compiles enough flows for 3,000 tasks: garbage collection is then paid alike at every size
 * instead of falling on the large flows only.
 */
function batchCpu(n: number, make: (n: number) => AnyFlow): number {
  const reps = Math.ceil(3000 / n);
  const flows = Array.from({ length: reps }, () => make(n));
  const t0 = cpuMs();
  for (const f of flows) compile(f);
  return (cpuMs() - t0) / reps;
}

/** `batchCpu`, the median of 3 batches. */
function compileCpu(n: number, make: (n: number) => AnyFlow): number {
  return median([0, 1, 2].map(() => batchCpu(n, make)));
}

/** Rounds of the growth exponent: each round measures both sizes back to back, in alternating order. */
const ROUNDS = 7;

/**
 * Per-task CPU at 100 and 1,000 tasks and the growth exponent between them, as medians over
 * `ROUNDS` rounds, with the exponent's range: each round pairs its two sizes, so a burst of load
 * from elsewhere moves one round's exponent, not the median (one batch of 100-task map chains is
 * ~10 ms, which a single slow moment used to move by 0.3 of an exponent).
 */
function growth(make: (n: number) => AnyFlow): { small: number; large: number; exponent: number; low: number; high: number } {
  const smalls: number[] = [];
  const larges: number[] = [];
  const exponents: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let small: number;
    let large: number;
    if (r % 2 === 0) {
      small = batchCpu(100, make);
      large = batchCpu(1000, make);
    } else {
      large = batchCpu(1000, make);
      small = batchCpu(100, make);
    }
    smalls.push(small);
    larges.push(large);
    exponents.push(Math.log10(large / small));
  }
  return { small: median(smalls), large: median(larges), exponent: median(exponents), low: Math.min(...exponents), high: Math.max(...exponents) };
}

const shapes: [string, (n: number) => AnyFlow][] = [
  ["chain", bigChain],
  ["random DAG (1-3 deps on any earlier task)", (n) => bigDag(n, 1).flow],
  ["random DAG (1-3 deps on the 10 before)", (n) => bigDag(n, 1, 10).flow],
  ["map chains (4 mapped tasks per Map)", bigMapChains],
];

/** Makespan / critical path of compiled `n`-task random DAGs, mean over `seeds` seeds. */
export function largeDagRatio(n: number, seeds: number, window?: number): number {
  let sum = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const dag = bigDag(n, seed, window);
    const duration = (s: string) => dag.durations[s === "node" ? 0 : Number(s.slice(5)) - 1];
    const cp = criticalPath(dag.deps.map((_, i) => i), (i) => dag.deps[i], (i) => dag.durations[i]);
    sum += definitionMakespan(compile(dag.flow).definition, duration) / cp;
  }
  return sum / seeds;
}

/** Rows: shape, CPU ms at 100 and 1,000 tasks, growth exponent (target <= 1.2). */
export function compileScaleRows(): string[][] {
  const rows: string[][] = [["compile CPU time", "100 tasks", "1,000 tasks", `exponent (<= 1.2), median of ${ROUNDS} paired rounds (min-max)`]];
  // Warm the JIT first, so the 100-task figures measure compile, not V8's first optimisations.
  for (const [, make] of shapes) compileCpu(300, make);
  for (const [label, make] of shapes) {
    const g = growth(make);
    rows.push([label, `${g.small.toFixed(1)} ms`, `${g.large.toFixed(0)} ms`, `${g.exponent.toFixed(2)} (${g.low.toFixed(2)}-${g.high.toFixed(2)})`]);
  }
  rows.push(["10,000-task chain (<= 2 s)", "", `${compileCpu(10_000, bigChain).toFixed(0)} ms`, ""]);
  rows.push(["makespan / critical path, 1,000-task DAGs (any earlier, 5 seeds)", "", largeDagRatio(1000, 5).toFixed(3), ""]);
  rows.push(["makespan / critical path, 1,000-task DAGs (10 before, 5 seeds)", "", largeDagRatio(1000, 5, 10).toFixed(3), ""]);
  return rows;
}
