/**
 * Local run history: written through as attempts start and end, terminal on every way a run
 * ends, and never contradicted by what ran.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { type HistoryStore, localHistoryStore, type TaskRunRecord } from "../../functions/index.ts";
import { main } from "../../sdk/cli/main.ts";
import { getLocalRun, runLocal } from "../../sdk/local/index.ts";
import { tempDir } from "../support/temp-dir.ts";
import { itemCalls, oneTask, permanentFailures, slowMap } from "./fixtures/history-flows.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;

beforeEach(() => {
  dir = tempDir("stepflow-history-run-");
  itemCalls.clear();
});

const attemptKey = (t: { state: string; index?: number; mapIndex?: number; attempt: number }) =>
  `${t.state}#${t.index ?? t.mapIndex ?? ""}#${t.attempt}`;

/** Resolves once `check` passes, polling the history every 20 ms. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

describe("local run history", () => {
  it("keeps exactly one terminal record per attempt of a 500-item Map with 5 permanent failures", async () => {
    const run = await runLocal(permanentFailures, { n: 500 }, { dir, fastRetries: true });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "NonRetriableError", state: "flaky-item" });
    const { run: record, tasks } = await getLocalRun(run.runId, { dir });
    expect(record?.status).toBe("FAILED");
    expect(tasks.filter((t) => t.status === "RUNNING")).toStrictEqual([]);
    // The history and the returned run agree, attempt by attempt and status by status.
    const fromHistory = tasks.map((t) => `${attemptKey(t)}=${t.status}`).sort();
    expect(fromHistory).toStrictEqual(run.tasks.map((t) => `${attemptKey(t)}=${t.status}`).sort());
    expect(new Set(tasks.map(attemptKey)).size).toBe(tasks.length);
    // Every call of the task function has its record, and no record lacks a call.
    const items = tasks.filter((t) => t.state === "flaky-item");
    for (const [index, calls] of itemCalls) {
      expect(items.filter((t) => t.mapIndex === index).length, `item ${index}`).toBe(calls);
    }
    expect(items.length).toBe([...itemCalls.values()].reduce((a, b) => a + b, 0));
  });

  it("shows a running run's progress while it goes, then its terminal record", async () => {
    const controller = new AbortController();
    const going = runLocal(slowMap, { n: 8, ms: 100 }, { dir, signal: controller.signal });
    const history = localHistoryStore({ dir });
    let runId = "";
    await until(async () => {
      const [listed] = await history.listAllRuns({ limit: 1 });
      runId = listed?.runId ?? "";
      const tasks = runId ? (await history.getRun(runId)).tasks : [];
      return tasks.some((t) => t.state === "slow-item" && t.status === "SUCCEEDED");
    });
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } };
    expect(await main(["node", "stepflow", "runs", runId, "--dir", dir], io as never)).toBe(0);
    expect(out.join("")).toMatch(/RUNNING/);
    expect(out.join("")).toMatch(/slow-item/);
    controller.abort();
    const run = await going;
    expect(run.status).toBe("ABORTED");
    const { run: record, tasks } = await history.getRun(runId);
    expect(record?.status).toBe("ABORTED");
    expect(tasks.filter((t) => t.status === "RUNNING")).toStrictEqual([]);
    // Attempts cut short say why; those that finished keep their result.
    const cut = tasks.filter((t) => t.status === "FAILED");
    expect(cut.length).toBeGreaterThan(0);
    for (const t of cut) expect(t.error).toMatchObject({ name: "RunEnded", message: expect.stringMatching(/ended ABORTED while this attempt was still running/) });
    expect(tasks.filter((t) => t.status === "SUCCEEDED").length).toBeGreaterThan(0);
  });

  it("returns a successful result when history writes fail, and reports the history problem", async () => {
    const enospc = () =>
      Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
    const local = localHistoryStore({ dir });
    const failing: HistoryStore = { ...local, putTaskRun: enospc, putFlowRun: enospc };
    const warnings: string[] = [];
    const run = await runLocal(oneTask, {}, {
      dir,
      stores: { history: failing },
      onEvent: (e) => e.type === "warning" && warnings.push(e.message),
    });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toStrictEqual([0, 1, 2]);
    expect(run.historyError).toStrictEqual({ name: "Error", message: "ENOSPC: no space left on device, write" });
    expect(warnings).toStrictEqual([
      "could not write the run's history (ENOSPC: no space left on device, write); the run goes on and returns its result, but its history may be incomplete",
    ]);
  });

  it("refuses a `runId` option that is not a valid run id", async () => {
    await expect(runLocal(oneTask, {}, { dir, runId: ".." })).rejects.toThrow(
      /run id `\.\.` given as `runLocal` option `runId` is not valid: `\.` and `\.\.` name folders/,
    );
  });
});

/** Runs `stepflow run` on the slow Map, sends `signal` once 2 items are recorded, and waits for the exit. */
async function stopCliRun(signal: NodeJS.Signals): Promise<{ code: number | null; tasks: TaskRunRecord[]; status?: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/stepflow.js"), "run", "test/local/fixtures/history-flows.ts", "--flow", "slow-map", "--dir", dir, "--param", "ms=200"],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, stdio: "ignore" },
  );
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const history = localHistoryStore({ dir, onProblem: () => undefined });
  await until(async () => {
    const [run] = await history.listAllRuns({ limit: 1 });
    const { tasks } = run ? await history.getRun(run.runId) : { tasks: [] };
    return tasks.filter((t) => t.state === "slow-item" && t.status === "SUCCEEDED").length >= 2;
  });
  child.kill(signal);
  const code = await exited;
  const [run] = await history.listAllRuns({ limit: 1 });
  return { code, status: run?.status, tasks: [...(await history.getRun(run.runId)).tasks] };
}

describe("stepflow run stopped by a signal", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "leaves a terminal run record with every finished attempt after %s",
    async (signal) => {
      const { code, status, tasks } = await stopCliRun(signal);
      expect(code).toBe(1);
      expect(status).toBe("ABORTED");
      expect(tasks.filter((t) => t.status === "RUNNING")).toStrictEqual([]);
      const done = tasks.filter((t) => t.state === "slow-item" && t.status === "SUCCEEDED");
      expect(done.length).toBeGreaterThanOrEqual(2);
      // The run file holds each attempt's start and end: no attempt was lost to a late flush.
      const lines = (await readFile(join(dir, "history/runs", `${tasks[0].runId}.jsonl`), "utf8")).trim().split("\n");
      const starts = lines.filter((l) => l.includes('"status":"RUNNING"') && l.startsWith('{"task"'));
      expect(starts.length).toBe(tasks.length);
    },
    30_000,
  );
});
