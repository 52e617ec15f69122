/**
 * Local run history when `stepflow run` is stopped by a signal: a real process, killed while its
 * Map runs (the e2e tier, vitest.config.ts), leaves a terminal record with every finished attempt;
 * so does a run whose task calls `process.exit`.
 * history.test.ts has the rest of local history, in-process.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { localHistoryStore, type TaskRunRecord } from "../../functions/index.ts";
import { tempDir } from "../support/temp-dir.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;

beforeEach(() => {
  dir = tempDir("stepflow-history-signal-");
});

/** Resolves once `check` passes, polling the history every 20 ms. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}

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
      // The run file holds each slow attempt's start (written while it ran) and its end: no attempt
      // was lost to a late flush. (An attempt that ends in the turn it started in has its end line only.)
      const lines = (await readFile(join(dir, "history/runs", `${tasks[0].runId}.jsonl`), "utf8")).trim().split("\n");
      const starts = lines.filter((l) => l.includes('"status":"RUNNING"') && l.includes('"state":"slow-item"') && l.startsWith('{"task"'));
      expect(starts.length).toBe(tasks.filter((t) => t.state === "slow-item").length);
    },
    30_000,
  );
});

describe("a local run whose task exits the process", () => {
  // Without a listener an attempt that ends at once puts its end record alone: one that exits the
  // process inside its call has put nothing, and the exit hook must still record it.
  it.each(["quiet", "listen"] as const)("records the exiting attempt FAILED and the run ABORTED (%s)", async (mode) => {
    const script = join(ROOT, "test/local/fixtures/exit-in-task.ts");
    const code = await new Promise<number | null>((done) =>
      spawn(process.execPath, ["--import", "tsx", script, dir, mode], { cwd: ROOT, stdio: "ignore" }).on("exit", done),
    );
    expect(code).toBe(3);
    const history = localHistoryStore({ dir, onProblem: () => undefined });
    const [run] = await history.listAllRuns();
    expect(run).toMatchObject({ flow: "exit-in-task", status: "ABORTED" });
    const { tasks } = await history.getRun(run.runId);
    const attempts = tasks.map((t) => `${t.state} ${t.status} ${t.error?.name ?? ""}`).sort();
    expect(attempts).toStrictEqual(["dies FAILED RunEnded", "first SUCCEEDED "]);
  }, 60_000);
});

