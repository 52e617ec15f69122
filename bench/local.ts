/**
 * Local runner overhead: wall time of 1,000-item maps (one and two tasks per item) and 200- and
 * 500-task sequential flows with trivial tasks through `runLocal`, beside the same ASL run bare in
 * aws-local-stepfunctions with trivial handlers: the ratio (issue 18's target: <= 1.3x) and the
 * overhead per task in ms.
 * Run: `npx tsx bench/local.ts` (median of 7 runs after 2 warm-ups each). "CPU ratio" compares the
 * CPU time this process used per run (median), which a loaded machine distorts less than wall time.
 *
 * The bare side runs the definition runLocal runs (`prepare`), so both take the same path: a list
 * longer than its inline Map's item budget (the map of 2 tasks: 832 items) goes, as on AWS, to the
 * Distributed Map, which the bare side runs as the same stand-in inline Map over the list, without
 * stepflow's store, history or limits. Until session 6 the bare side ran that case as one inline Map
 * (its `items` handler ignored the budget): that figure is printed too, as "bare inline".
 */
import "promise.withresolvers/auto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { StateMachine } from "aws-local-stepfunctions";
import { type AnyFlow, compile } from "../sdk/index.ts";
import { localSubstitutions, substitute } from "../sdk/compile/substitute.ts";
import { LIST_STORED_ERROR } from "../sdk/core/protocol.ts";
import { runLocal } from "../sdk/local/index.ts";
// Internals, read by this measurement only: the definition and stand-ins runLocal runs.
import { ITEMS_PATH } from "../sdk/local/private/distributed-map.ts";
import { prepare } from "../sdk/local/private/prepare.ts";
import { chain500Flow, chainFlow, mapChainFlow, mapFlow } from "./local-flows.ts";
import { median } from "./median.ts";
import { printTable } from "./print-table.ts";

const RUNS = 7;
const WARMUP = 2;


/**
 * The same definition runLocal executes, with handlers that return a constant envelope. Compiled
 * once, outside the timing (runLocal caches its compiled flow too). `inline`: the definition as
 * compiled, every list taken by its inline Map whatever its length (how this was measured before).
 */
function bare(f: AnyFlow, input: Record<string, unknown>, listLength: number, inline = false): () => Promise<void> {
  const prepared = prepare(f);
  const compiled = compile(f, { target: "local" });
  const definition = inline ? substitute(compiled.definition, localSubstitutions(compiled)) : prepared.definition;
  const handlers: Record<string, (req: never) => unknown> = {};
  const values = Array.from({ length: listLength }, (_, i) => i);
  const list = { items: values.map((v) => ({ v })) };
  const items = async (req: { out?: string[]; spill?: string; maxItems?: number }) => {
    // As the task handler does: a list over its Map's item budget is stored and the Catch runs the Distributed Map.
    if (!inline && req.spill === "error" && listLength > (req.maxItems ?? Infinity)) {
      throw Object.assign(new Error(JSON.stringify({ s3: "list.json", bytes: 1 })), { name: LIST_STORED_ERROR });
    }
    return list;
  };
  const walk = (d: typeof definition) => {
    for (const [name, s] of Object.entries(d.States)) {
      if (s.Type === "Map") walk(s.ItemProcessor);
      if (s.Type === "Parallel") s.Branches.forEach(walk);
      if (s.Type === "Task") handlers[name] = async (req: { out?: string[] }) => (req.out?.includes("items") ? items(req) : { v: 1 });
    }
  };
  walk(definition);
  for (const m of prepared.distributed.values()) for (const t of m.tasks) handlers[t] ??= async () => ({ v: 1 });
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const options = {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: { Execution: { Name: "bench", Id: "arn:bench" }, State: { RetryCount: 0 } },
  };
  // A Distributed Map's stand-in: its inline Map over the list, as runLocal runs it (no items read, no results written).
  const key = ITEMS_PATH.slice(3, -2);
  for (const [name, m] of prepared.distributed) {
    handlers[name] = async (bound: { input: Record<string, unknown> }) => {
      await m.machine.run({ ...bound.input, [key]: values } as never, { ...options, context: structuredClone(options.context) }).result;
      return { ResultWriterDetails: { Bucket: "results", Key: "manifest.json" } };
    };
  }
  return async () => {
    await machine.run(input as never, options).result;
  };
}

/**
 * Median wall time of `fn`, and the median CPU time of this process (all threads) per run: on a
 * loaded machine wall time mostly measures the other processes.
 */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  return { ms: median(times), cpuMs: median(cpuTimes) };
}

const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-"));
const cases = [
  { name: "map of 1,000 items", flow: mapFlow, params: { n: 1000 }, tasks: 1001 },
  { name: "map of 1,000 items, 2 tasks each", flow: mapChainFlow, params: { n: 1000 }, tasks: 2001 },
  { name: "the same, bare inline (as before)", flow: mapChainFlow, params: { n: 1000 }, tasks: 2001, inline: true },
  { name: "200 sequential tasks", flow: chainFlow, params: {}, tasks: 200 },
  { name: "500 sequential tasks", flow: chain500Flow, params: {}, tasks: 500 },
];
const rows: string[][] = [
  ["case", "bare", "runLocal", "ratio (<= 1.3)", "CPU ratio", "overhead/task", "in workers", "overhead/task"],
];
let previous = { localMs: 0, localCpuMs: 0, workerMs: 0 };
for (const c of cases) {
  const inline = "inline" in c && c.inline;
  const runBare = bare(c.flow, c.params, 1000, inline);
  const { ms: bareMs, cpuMs: bareCpuMs } = await timed(runBare);
  // The inline row compares the same runLocal figures with the other bare run.
  const { localMs, localCpuMs, workerMs } = inline ? previous : await measureLocal(c);
  previous = { localMs, localCpuMs, workerMs };
  const perTask = (localMs - bareMs) / c.tasks;
  const perTaskWorker = (workerMs - bareMs) / c.tasks;
  rows.push([
    c.name,
    `${bareMs.toFixed(0)} ms`,
    `${localMs.toFixed(0)} ms`,
    `${(localMs / bareMs).toFixed(2)}x`,
    `${(localCpuMs / bareCpuMs).toFixed(2)}x`,
    `${perTask.toFixed(3)} ms`,
    `${workerMs.toFixed(0)} ms`,
    `${perTaskWorker.toFixed(3)} ms`,
  ]);
}
printTable(`local runner: runLocal vs bare aws-local-stepfunctions (median of ${RUNS}), load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`, rows);
await rm(dir, { recursive: true, force: true });

async function measureLocal(c: (typeof cases)[number]): Promise<{ localMs: number; localCpuMs: number; workerMs: number }> {
  const { ms: localMs, cpuMs: localCpuMs } = await timed(async () => {
    const run = await runLocal(c.flow, c.params as never, { dir });
    if (run.status !== "SUCCEEDED") throw new Error(`${c.name}: ${run.status} ${JSON.stringify(run.error)}`);
  });
  // Task functions in the worker-thread pool (isolation "worker"): the timeout mechanism's cost.
  const { ms: workerMs } = await timed(async () => {
    const run = await runLocal(c.flow, c.params as never, { dir, isolation: "worker" });
    if (run.status !== "SUCCEEDED") throw new Error(`${c.name}: ${run.status} ${JSON.stringify(run.error)}`);
  });
  return { localMs, localCpuMs, workerMs };
}
