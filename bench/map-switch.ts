/**
 * The run-time switch between an inline and a Distributed Map (no `large` annotation): a one-task
 * Map over a task's list at its inline item budget (inline), one item over it and at 10,000 items
 * (the producer stores the list and a Distributed Map runs each item as a child execution). Prints
 * what the local engine measured: history events of the parent and the largest child, child
 * executions, the largest state data and task event, and wall time. Run: `npx tsx bench/map-switch.ts`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { compile, flow, task } from "../sdk/index.ts";
import { runLocal } from "../sdk/local/index.ts";
import { printTable } from "./print-table.ts";

const count = task("count", (n: number) => Array.from({ length: n }, (_, i) => i));
const square = task("square", (x: number) => x * x);
const squares = flow("bench-map-switch", { params: z.object({ n: z.number() }) }, ({ n }) => square.map(count(n)));

/** The item budget the compiler gave `count` (`maxItems`): at most this many items run inline. */
const budget = (compile(squares).definition.States.count as unknown as { Parameters: { maxItems: number } }).Parameters.maxItems;

async function measure(n: number): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-switch-"));
  try {
    const started = performance.now();
    const run = await runLocal(squares, { n }, { dir });
    const wall = performance.now() - started;
    const s = run.stats;
    const fmt = (x: number | undefined) => (x === undefined ? "-" : x.toLocaleString("en-US"));
    return [
      n.toLocaleString("en-US"),
      s.childExecutions ? "distributed" : "inline",
      run.status,
      fmt(s.historyEvents),
      fmt(s.childExecutions),
      fmt(s.maxChildHistoryEvents),
      fmt(s.maxStateBytes),
      fmt(s.maxTaskEventBytes),
      `${(wall / 1000).toFixed(1)} s`,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rows = [["items", "Map", "status", "parent events", "child executions", "events per child (max)", "largest state data (B)", "largest task event (B)", "wall"]];
for (const n of [budget, budget + 1, 10_000]) rows.push(await measure(n));
printTable(`Run-time Map switch, one task per item (inline item budget ${budget.toLocaleString("en-US")}; limits 25,000 events, 262,144 B)`, rows);
