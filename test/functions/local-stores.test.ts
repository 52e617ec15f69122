import { appendFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  createTaskHandler,
  localHistoryStore,
  localResultStore,
  localStores,
  ResultNotFoundError,
} from "../../functions/index.ts";
import { task } from "../../sdk/define/task.ts";
import { createTaskHandlerNow } from "../../functions/task-handler.ts";
import { tempDir } from "../support/temp-dir.ts";
import { StepflowError } from "../../sdk/core/errors.ts";
import { flowRun, historyContract, taskRun } from "./support/history-contract.ts";
import { quietLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

const fresh = () => tempDir("stepflow-local-");

describe("local result store", () => {
  it("keeps results as JSON files under results/<key> and refuses keys outside the folder", async () => {
    const dir = fresh();
    const store = localResultStore({ dir });
    expect(await store.put("runs/f/r/s/0.json", { a: [1, 2] })).toBe(11);
    expect(await readFile(join(dir, "results/runs/f/r/s/0.json"), "utf8")).toBe('{"a":[1,2]}');
    expect(await store.get("runs/f/r/s/0.json")).toStrictEqual({ a: [1, 2] });
    await expect(store.get("runs/f/r/s/9.json")).rejects.toBeInstanceOf(ResultNotFoundError);
    await expect(store.put("../escape.json", 1)).rejects.toThrow(/points outside the store folder/);
  });
});

describe("local history store", () => {
  historyContract(() => localHistoryStore({ dir: tempDir("stepflow-history-") }));

  it("lists the runs of every flow newest first, whatever their run ids", async () => {
    const h = localHistoryStore({ dir: fresh() });
    const at = (d: number) => `2026-01-0${d}T00:00:00.000Z`;
    await h.putFlowRun(flowRun({ runId: "etl-20260101T000000-abcd", startedAt: at(1) }));
    await h.putFlowRun(flowRun({ runId: "b", startedAt: at(2) }));
    await h.putFlowRun(flowRun({ flow: "other", runId: "custom_id", startedAt: at(3) }));
    await h.putFlowRun(flowRun({ runId: "etl-20260101T000000-abcd", startedAt: at(1), status: "FAILED", rank: 1 }));
    expect((await h.listAllRuns()).map((r) => r.runId)).toStrictEqual([
      "custom_id",
      "b",
      "etl-20260101T000000-abcd",
    ]);
    expect((await h.listAllRuns({ limit: 1 })).map((r) => r.runId)).toStrictEqual(["custom_id"]);
    expect((await h.listAllRuns({ status: "FAILED" })).map((r) => r.runId)).toStrictEqual([
      "etl-20260101T000000-abcd",
    ]);
  });

  it("appends every write as a line of the run's file, with each flow-run record in the index", async () => {
    const d = fresh();
    const handle = createTaskHandler({
      tasks: { t: task("t", () => 1), slow: task("slow", () => new Promise((r) => setTimeout(() => r(2), 20))) },
      ...localStores({ dir: d, env: {} }),
      logger: quietLogger(),
    });
    await handle(request("t", [], { run: "run-9", state: "t-2", index: 4, attempt: 1 }));
    // Task-run lines reach the file together at the end of the event-loop turn (buffered-appends.ts).
    await new Promise((turnEnded) => setImmediate(turnEnded));
    const file = join(d, "history/runs/run-9.jsonl");
    let lines = (await readFile(file, "utf8")).trim().split("\n");
    // It ended in the turn it started in: its end line only, which carries its start.
    expect(lines.map((l) => JSON.parse(l).task.status)).toStrictEqual(["SUCCEEDED"]);
    expect(JSON.parse(lines[0]).task).toMatchObject({ result: { v: 1 }, state: "t-2", mapIndex: 4, attempt: 1, startedAt: expect.any(String) });
    // An attempt that spans turns has its start line on disk while it runs, then its end line.
    const slow = handle(request("slow", [], { run: "run-9", state: "slow" }));
    await new Promise((turnEnded) => setImmediate(turnEnded));
    lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).task.status)).toStrictEqual(["SUCCEEDED", "RUNNING"]);
    await slow;
    await new Promise((turnEnded) => setImmediate(turnEnded));
    lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines.map((l) => `${JSON.parse(l).task.state} ${JSON.parse(l).task.status}`)).toStrictEqual(["t-2 SUCCEEDED", "slow RUNNING", "slow SUCCEEDED"]);
    await localHistoryStore({ dir: d }).putFlowRun(flowRun({ runId: "run-9" }));
    const index = (await readFile(join(d, "history/index.jsonl"), "utf8")).trim().split("\n");
    expect(index.map((l) => JSON.parse(l).run.runId)).toStrictEqual(["run-9"]);
  });

  it("answers an attempt at once when nothing in it waits, and records it as the promise path does", async () => {
    const d = fresh();
    const handle = createTaskHandlerNow({
      tasks: { t: task("t", (x: number) => x + 1), later: task("later", async (x: number) => x + 2) },
      ...localStores({ dir: d, env: {} }),
      logger: quietLogger(),
    });
    const now = handle(request("t", [{ v: 1 }], { run: "run-n", state: "t" }));
    expect(now).toStrictEqual({ v: 2 });
    const later = handle(request("later", [{ v: 1 }], { run: "run-n", state: "later" }));
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toStrictEqual({ v: 3 });
    await new Promise((turnEnded) => setImmediate(turnEnded));
    const lines = (await readFile(join(d, "history/runs/run-n.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).task).map((t) => [t.state, t.status, t.result])).toStrictEqual([
      ["t", "SUCCEEDED", { v: 2 }],
      ["later", "SUCCEEDED", { v: 3 }],
    ]);
  });

  it("puts an attempt's start record only once it waits, when asked to: an attempt that ends at once puts its end alone", async () => {
    const stores = localStores({ dir: fresh(), env: {} });
    const puts: string[] = [];
    const history = { ...stores.history, putTaskRun: async (r: { state: string; status: string; startedAt: string }) => void puts.push(`${r.state} ${r.status} ${r.startedAt !== undefined}`) };
    const tasks = { t: task("t", (x: number) => x + 1), later: task("later", async (x: number) => x + 2) };
    const lazy = createTaskHandlerNow({ tasks, ...stores, history, logger: quietLogger() }, { startRecord: "when-waiting" });
    await lazy(request("t", [{ v: 1 }], { run: "run-l", state: "t" }));
    expect(puts).toStrictEqual(["t SUCCEEDED true"]);
    const later = lazy(request("later", [{ v: 1 }], { run: "run-l", state: "later" }));
    // Put before the call returned its promise: the history shows the attempt running while it waits.
    expect(puts).toStrictEqual(["t SUCCEEDED true", "later RUNNING true"]);
    await later;
    expect(puts).toStrictEqual(["t SUCCEEDED true", "later RUNNING true", "later SUCCEEDED true"]);
    puts.length = 0;
    const eager = createTaskHandlerNow({ tasks, ...stores, history, logger: quietLogger() });
    await eager(request("t", [{ v: 1 }], { run: "run-e", state: "t" }));
    expect(puts).toStrictEqual(["t RUNNING true", "t SUCCEEDED true"]);
  });

  it("withdraws the start line of every attempt that ends in the turn it started in, interleaved or not", async () => {
    const d = fresh();
    const h = localHistoryStore({ dir: d });
    const end = { status: "SUCCEEDED" as const, endedAt: "2026-01-01T00:00:01.000Z", result: { v: 1 } };
    // Map items start together and end in any order; a chain's attempt ends right after it starts.
    for (const index of [0, 1, 2]) await h.putTaskRun(taskRun({ runId: "run-w", mapIndex: index }));
    await h.putTaskRun(taskRun({ runId: "run-w", mapIndex: 1, ...end }));
    await h.putTaskRun(taskRun({ runId: "run-w", mapIndex: 0, ...end }));
    await h.putTaskRun(taskRun({ runId: "run-w", state: "next", mapIndex: undefined }));
    await h.putTaskRun(taskRun({ runId: "run-w", state: "next", mapIndex: undefined, ...end }));
    // Same state, index and attempt in another run: its start is not this run's to withdraw.
    await h.putTaskRun(taskRun({ runId: "run-v", mapIndex: 2 }));
    await new Promise((turnEnded) => setImmediate(turnEnded));
    const lines = (await readFile(join(d, "history/runs/run-w.jsonl"), "utf8")).trim().split("\n");
    const written = lines.map((l) => JSON.parse(l).task).map((t) => `${t.state}/${t.mapIndex ?? "-"} ${t.status}`);
    // Item 2 has not ended: its start line stays.
    expect(written).toStrictEqual(["load/2 RUNNING", "load/1 SUCCEEDED", "load/0 SUCCEEDED", "next/- SUCCEEDED"]);
    const other = (await readFile(join(d, "history/runs/run-v.jsonl"), "utf8")).trim().split("\n");
    expect(other.map((l) => JSON.parse(l).task.status)).toStrictEqual(["RUNNING"]);
  });

  it("reports and skips corrupt and foreign entries instead of failing the listing or the run", async () => {
    const d = fresh();
    const problems: string[] = [];
    const h = localHistoryStore({ dir: d, onProblem: (m) => problems.push(m) });
    await h.putFlowRun(flowRun({ runId: "good" }));
    await h.putTaskRun(taskRun({ runId: "good", status: "SUCCEEDED" }));
    await appendFile(join(d, "history/index.jsonl"), '{"run": {"runId": "half\n[1,2]\n');
    await appendFile(join(d, "history/runs/good.jsonl"), "not json\n");
    await writeFile(join(d, "history/.DS_Store"), "\u0000\u0001binary");
    await writeFile(join(d, "history/runs/.DS_Store"), "\u0000\u0001binary");
    expect((await h.listAllRuns()).map((r) => r.runId)).toStrictEqual(["good"]);
    const { run, tasks } = await h.getRun("good");
    expect([run?.status, tasks.map((t) => t.status)]).toStrictEqual(["RUNNING", ["SUCCEEDED"]]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/index\.jsonl`: skipped a line that is not a stepflow history record: "\[1,2\]"/);
    expect(problems[1]).toMatch(/index\.jsonl`: skipped a line that is not JSON/);
    expect(problems[2]).toMatch(/good\.jsonl`: skipped a line that is not JSON: "not json"/);
  });

  it("lists the newest runs from the end of the index without reading older lines", async () => {
    const d = fresh();
    const h = localHistoryStore({ dir: d, onProblem: () => undefined });
    // A corrupt line before the newest 2 runs is never read when 2 are asked for.
    await h.putFlowRun(flowRun({ runId: "old" }));
    await appendFile(join(d, "history/index.jsonl"), "corrupt\n");
    const problems: string[] = [];
    const seen = localHistoryStore({ dir: d, onProblem: (m) => problems.push(m) });
    for (const [i, id] of ["a", "b", "c"].entries()) {
      await seen.putFlowRun(flowRun({ runId: id, startedAt: `2026-01-0${i + 2}T00:00:00.000Z` }));
      await seen.putFlowRun(flowRun({ runId: id, startedAt: `2026-01-0${i + 2}T00:00:00.000Z`, status: "SUCCEEDED", rank: 1 }));
    }
    expect((await seen.listAllRuns({ limit: 2 })).map((r) => [r.runId, r.status])).toStrictEqual([
      ["c", "SUCCEEDED"],
      ["b", "SUCCEEDED"],
    ]);
    expect(problems).toStrictEqual([]);
    expect((await seen.listAllRuns({ limit: 10 })).map((r) => r.runId)).toStrictEqual(["c", "b", "a", "old"]);
    expect(problems).toHaveLength(1);
  });

  it("moves runs of the first layout (a folder per run) in on the first read, older than every new run", async () => {
    const d = fresh();
    const legacy = async (runId: string, startedAt: string, tasks: number) => {
      const folder = join(d, "history", encodeURIComponent(runId));
      await mkdir(join(folder, "tasks"), { recursive: true });
      const run = flowRun({ runId, startedAt, status: "SUCCEEDED", rank: 1 });
      await writeFile(join(folder, "run.json"), JSON.stringify(run, null, 2));
      for (let i = 0; i < tasks; i++) {
        const t = taskRun({ runId, mapIndex: i, status: "SUCCEEDED" });
        await writeFile(join(folder, "tasks", `${encodeURIComponent(`TASK#load#${i}#000`)}.json`), JSON.stringify(t));
      }
    };
    await legacy("etl-20250101T000000Z-abc123", "2025-01-01T00:00:00.000Z", 2);
    await legacy("etl-20250102T000000Z-def456", "2025-01-02T00:00:00.000Z", 1);
    await mkdir(join(d, "history", "not-a-run"));
    await mkdir(join(d, "history", "corrupt-run"));
    await writeFile(join(d, "history", "corrupt-run", "run.json"), "{ half");
    await writeFile(join(d, "history", ".DS_Store"), "\u0000");
    const problems: string[] = [];
    const h = localHistoryStore({ dir: d, onProblem: (m) => problems.push(m) });
    await h.putFlowRun(flowRun({ runId: "new-run", startedAt: "2026-01-01T00:00:00.000Z" }));
    expect((await h.listAllRuns()).map((r) => [r.runId, r.status])).toStrictEqual([
      ["new-run", "RUNNING"],
      ["etl-20250102T000000Z-def456", "SUCCEEDED"],
      ["etl-20250101T000000Z-abc123", "SUCCEEDED"],
    ]);
    expect((await h.listAllRuns({ limit: 2 })).map((r) => r.runId)).toStrictEqual(["new-run", "etl-20250102T000000Z-def456"]);
    const moved = await localHistoryStore({ dir: d }).getRun("etl-20250101T000000Z-abc123");
    expect([moved.run?.status, moved.tasks.map((t) => [t.mapIndex, t.status])]).toStrictEqual([
      "SUCCEEDED",
      [[0, "SUCCEEDED"], [1, "SUCCEEDED"]],
    ]);
    // Reported at the first read (each later store reads the folders left again).
    expect(problems.slice(0, 3).join("\n")).toMatch(
      /corrupt-run`: skipped a run record that is not JSON\n.*corrupt-run`: 1 of its records cannot be read, so it was not moved.*\n.*not-a-run`: it holds no stepflow run/,
    );
    // The moved folders are gone; what could not be read is left as it was, and read again later.
    expect((await readdir(join(d, "history"))).sort()).toStrictEqual(
      [".DS_Store", "corrupt-run", "index.jsonl", "legacy-index.jsonl", "not-a-run", "runs"],
    );
  });

  it.each([".", "..", "a/b", "../x", "has space", "", "x".repeat(81)])(
    "refuses run id %j before touching the folder",
    async (runId) => {
      const h = localHistoryStore({ dir: fresh() });
      await expect(h.getRun(runId)).rejects.toThrow(/run id `.*` given as a history run id is not valid/);
      await expect(h.putTaskRun(taskRun({ runId }))).rejects.toThrow(/is not valid/);
    },
  );

  it("says a `dir` that is a file is not a folder, as a usage error", async () => {
    const file = join(fresh(), "a-file");
    await writeFile(file, "x");
    const h = localHistoryStore({ dir: file });
    await expect(h.listAllRuns()).rejects.toThrow(/part of its path is a file, not a folder; pass a folder as `dir` \(`--dir`\)/);
    await expect(h.putFlowRun(flowRun())).rejects.toBeInstanceOf(StepflowError);
  });
});
