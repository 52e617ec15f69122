/**
 * `stepflow runs --limit 20` over 10,000 local runs: the listing reads the history index from its
 * end, so its cost should not grow with the number of runs. Prints the in-process listing time
 * and the CLI's wall time beside `stepflow --version` (process start). Target: listing < 0.3 s
 * plus process start. Run: `npx tsx bench/runs.ts` (median of 5 after a warm-up).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { localHistoryStore } from "../functions/index.ts";
import { newRunId } from "../sdk/core/run-id.ts";
import { median } from "./median.ts";
import { printTable } from "./print-table.ts";

const RUNS = 10_000;
const REPEAT = 5;
const bin = fileURLToPath(new URL("../bin/stepflow.js", import.meta.url));

async function timed(fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Writes `n` finished runs (start and end records) of 5 flows, as `stepflow run` writes them. */
async function fill(dir: string, n: number): Promise<void> {
  const history = localHistoryStore({ dir });
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < n; i++) {
    const flow = `flow-${i % 5}`;
    const startedAt = new Date(t0 + i * 1000);
    const runId = newRunId(flow, startedAt);
    const arns = { executionArn: `arn:aws:states:us-east-1:0:execution:stepflow-${flow}:${runId}`, stateMachineArn: `arn:aws:states:us-east-1:0:stateMachine:stepflow-${flow}` };
    const base = { flow, runId, ...arns, startedAt: startedAt.toISOString(), params: { coin: "BTC", days: i % 30 } };
    await history.putFlowRun({ ...base, status: "RUNNING", rank: 0 });
    await history.putFlowRun({ ...base, status: "SUCCEEDED", rank: 1, endedAt: new Date(t0 + i * 1000 + 420).toISOString(), durationMs: 420, output: { v: i } });
  }
}

const cli = (...args: string[]) => () => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`stepflow ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
};

const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-runs-"));
try {
  await fill(dir, RUNS);
  const history = localHistoryStore({ dir });
  const listing = await timed(() => history.listAllRuns({ limit: 20 }));
  const start = await timed(cli("--version"));
  const runs = await timed(cli("runs", "--limit", "20", "--dir", dir));
  printTable(`stepflow runs over ${RUNS.toLocaleString("en-US")} local runs (median of ${REPEAT})`, [
    ["figure", "time", "target"],
    ["listAllRuns({ limit: 20 }) in-process", `${listing.toFixed(1)} ms`, "< 300 ms"],
    ["`stepflow --version` (process start)", `${start.toFixed(0)} ms`, ""],
    ["`stepflow runs --limit 20`", `${runs.toFixed(0)} ms`, "< start + 300 ms"],
    ["`runs` minus process start", `${(runs - start).toFixed(0)} ms`, "< 300 ms"],
  ]);
} finally {
  await rm(dir, { recursive: true, force: true });
}
