/**
 * Local run history: written through as attempts start and end, terminal on every way a run
 * ends, and never contradicted by what ran. history-signals.test.ts (e2e tier) stops a real
 * `stepflow run` process with SIGTERM and SIGINT.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { type HistoryStore, localHistoryStore } from "../../functions/index.ts";
import { main } from "../../sdk/cli/main.ts";
import { getLocalRun, runLocal } from "../../sdk/local/index.ts";
import { tempDir } from "../support/temp-dir.ts";
import { itemCalls, oneTask, permanentFailures, slowMap } from "./fixtures/history-flows.ts";

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
