/**
 * Compiler figures: transitions per executed task and the makespan of compiled schedules against
 * the critical path, over seeded random flows. Prints a table; run with `npm run bench`.
 */
import "../sdk/local/private/with-resolvers.ts";
import { criticalPath } from "../sdk/compile/private/sp-schedule.ts";
import { compile } from "../sdk/index.ts";
import { definitionMakespan, randomDag, randomTaskMapWhenFlow } from "../test/support/random-flows.ts";
import { standInRun } from "../test/support/stand-in-run.ts";
import { compileScaleRows } from "./compile-scale.ts";
import { printTable } from "./print-table.ts";

/** Makespan of the naive schedule (level by level), to show what the scheduler buys. */
function levelMakespan(deps: readonly (readonly number[])[], durations: readonly number[]): number {
  const level: number[] = [];
  for (const [i, d] of deps.entries()) level[i] = Math.max(-1, ...d.map((j) => level[j])) + 1;
  const widths = new Map<number, number>();
  for (const [i, l] of level.entries()) widths.set(l, Math.max(widths.get(l) ?? 0, durations[i]));
  return [...widths.values()].reduce((a, b) => a + b, 0);
}

export async function compileBench(): Promise<string[][]> {
  const rows: string[][] = [];
  let ratio = 0;
  let naive = 0;
  let worst = 0;
  const t0 = performance.now();
  for (let seed = 1; seed <= 100; seed++) {
    const dag = randomDag(seed);
    const def = compile(dag.flow).definition;
    const duration = (s: string) => dag.durations[s === "node" ? 0 : Number(s.slice(5)) - 1];
    const cp = criticalPath(
      dag.deps.map((_, i) => i),
      (i) => dag.deps[i],
      (i) => dag.durations[i],
    );
    const r = definitionMakespan(def, duration) / cp;
    ratio += r;
    worst = Math.max(worst, r);
    naive += levelMakespan(dag.deps, dag.durations) / cp;
  }
  const ms = (performance.now() - t0) / 100;
  rows.push(["makespan / critical path (100 random DAGs, mean)", (ratio / 100).toFixed(3), "<= 1.10"]);
  rows.push(["  worst DAG", worst.toFixed(3), ""]);
  rows.push(["  naive level-by-level schedule, mean", (naive / 100).toFixed(3), ""]);
  rows.push(["  compile time per DAG (5-24 tasks)", `${ms.toFixed(2)} ms`, ""]);
  let transitions = 0;
  let tasks = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const run = await standInRun(randomTaskMapWhenFlow(seed));
    transitions += run.transitions;
    tasks += run.taskRuns;
  }
  rows.push([
    "transitions per task (6 random task/map/when flows)",
    (transitions / tasks).toFixed(4),
    "<= 1.02",
  ]);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable("compiler", await compileBench());
  printTable("compiler at scale (CPU time per flow; the 10,000-task chain: median of 3 batches)", compileScaleRows());
}
