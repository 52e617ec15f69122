/**
 * Local runner overhead: wall time of 1,000-item maps (one and two tasks per item) and 200- and
 * 500-task sequential flows with trivial tasks through `runLocal`, beside the same ASL run bare in
 * aws-local-stepfunctions with trivial handlers: the ratio (issue 18's target: <= 1.3x) and the
 * overhead per task in ms.
 * Run: `npx tsx bench/local.ts` (median of 7 runs after 2 warm-ups each).
 */
import "promise.withresolvers/auto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateMachine } from "aws-local-stepfunctions";
import { type AnyFlow, compile, localSubstitutions, substitute } from "../sdk/index.ts";
import { runLocal } from "../sdk/local/index.ts";
import { chain500Flow, chainFlow, mapChainFlow, mapFlow } from "./local-flows.ts";
import { printTable } from "./print-table.ts";

const RUNS = 7;
const WARMUP = 2;


/**
 * The same definition runLocal executes, with handlers that return a constant envelope. Compiled
 * once, outside the timing (runLocal caches its compiled flow too).
 */
function bare(f: AnyFlow, input: Record<string, unknown>, listLength: number): () => Promise<void> {
  const compiled = compile(f, { target: "local" });
  const definition = substitute(compiled.definition, localSubstitutions(compiled));
  const handlers: Record<string, (req: never) => unknown> = {};
  const list = { items: Array.from({ length: listLength }, (_, i) => ({ v: i })) };
  const walk = (d: typeof definition) => {
    for (const [name, s] of Object.entries(d.States)) {
      if (s.Type === "Map") walk(s.ItemProcessor);
      if (s.Type === "Parallel") s.Branches.forEach(walk);
      if (s.Type === "Task")
        handlers[name] = async (req: { out?: string[] }) => (req.out?.includes("items") ? list : { v: 1 });
    }
  };
  walk(definition);
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  return async () => {
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: { Execution: { Name: "bench", Id: "arn:bench" }, State: { RetryCount: 0 } },
    });
    await execution.result;
  };
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-"));
const cases = [
  { name: "map of 1,000 items", flow: mapFlow, params: { n: 1000 }, tasks: 1001 },
  { name: "map of 1,000 items, 2 tasks each", flow: mapChainFlow, params: { n: 1000 }, tasks: 2001 },
  { name: "200 sequential tasks", flow: chainFlow, params: {}, tasks: 200 },
  { name: "500 sequential tasks", flow: chain500Flow, params: {}, tasks: 500 },
];
const rows: string[][] = [
  ["case", "bare", "runLocal", "ratio (<= 1.3)", "overhead/task", "in workers", "overhead/task"],
];
for (const c of cases) {
  const runBare = bare(c.flow, c.params, 1000);
  const bareMs = await median(runBare);
  const localMs = await median(async () => {
    const run = await runLocal(c.flow, c.params as never, { dir });
    if (run.status !== "SUCCEEDED") throw new Error(`${c.name}: ${run.status} ${JSON.stringify(run.error)}`);
  });
  // Task functions in the worker-thread pool (isolation "worker"): the timeout mechanism's cost.
  const workerMs = await median(async () => {
    const run = await runLocal(c.flow, c.params as never, { dir, isolation: "worker" });
    if (run.status !== "SUCCEEDED") throw new Error(`${c.name}: ${run.status} ${JSON.stringify(run.error)}`);
  });
  const perTask = (localMs - bareMs) / c.tasks;
  const perTaskWorker = (workerMs - bareMs) / c.tasks;
  rows.push([
    c.name,
    `${bareMs.toFixed(0)} ms`,
    `${localMs.toFixed(0)} ms`,
    `${(localMs / bareMs).toFixed(2)}x`,
    `${perTask.toFixed(3)} ms`,
    `${workerMs.toFixed(0)} ms`,
    `${perTaskWorker.toFixed(3)} ms`,
  ]);
}
printTable(`local runner: runLocal vs bare aws-local-stepfunctions (median of ${RUNS})`, rows);
await rm(dir, { recursive: true, force: true });
