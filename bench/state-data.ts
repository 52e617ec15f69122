/**
 * State data sizes, measured by the local engine (`run.stats`): the largest state input or output
 * and the largest Lambda event of a 200-task chain of ~2 KB results and of a 1,000-item map chain
 * (two tasks per item, ~200 B results, then a reducer reading both columns), with transitions per
 * task. Run: `npx tsx bench/state-data.ts`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { type AnyFlow, flow, type Ref, task } from "../sdk/index.ts";
import { runLocal } from "../sdk/local/index.ts";
import { printTable } from "./print-table.ts";

const sized = (bytes: number, i: number) => `${i}:`.padEnd(bytes, "x");
const count = task("count", (n: number) => Array.from({ length: n }, (_, i) => i));
const step = task("step", (prev: string) => sized(2000, Number(prev.split(":")[0]) + 1));
const first = task("first", (i: number) => sized(200, i));
const second = task("second", (s: string) => sized(200, Number(s.split(":")[0])));
const reduce = task("reduce", (a: string[], b: string[]) => a.length + b.length);

const chain = flow("bench-chain-2kb", () => {
  let value: Ref<string> = step("0:");
  for (let i = 1; i < 200; i++) value = step(value);
  return value;
});
const mapChain = flow("bench-map-chain", { params: z.object({ n: z.number() }) }, ({ n }) => {
  const a = first.map(count(n));
  return reduce(a, second.map(a));
});

async function measure(name: string, f: AnyFlow, params: Record<string, unknown>, tasks: number) {
  const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-state-"));
  try {
    const run = await runLocal(f, params as never, { dir });
    const s = run.stats;
    const status = run.status === "SUCCEEDED" ? "SUCCEEDED" : `${run.status} (${run.error?.name})`;
    return [name, status, s.maxStateBytes.toLocaleString("en-US"), s.maxTaskEventBytes.toLocaleString("en-US"), (s.transitions / tasks).toFixed(4)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rows = [
  ["flow", "status", "largest state data (B)", "largest task event (B)", "transitions per task"],
  await measure("200-task chain, ~2 KB results", chain, {}, 200),
  await measure("1,000-item map chain (2 tasks, 200 B) + reducer", mapChain, { n: 1000 }, 2001),
];
printTable("State data (local engine's measure; limit 262,144 B)", rows);
