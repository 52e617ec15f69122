import { readdir, readFile } from "node:fs/promises";
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
import { tempDir } from "../support/temp-dir.ts";
import { flowRun, historyContract } from "./support/history-contract.ts";
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
    await h.putFlowRun(flowRun({ runId: "etl-20260101T000000-abcd", startedAt: at(1), status: "FAILED", rank: 1 }));
    await h.putFlowRun(flowRun({ flow: "other", runId: "custom id", startedAt: at(3) }));
    await h.putFlowRun(flowRun({ runId: "b", startedAt: at(2) }));
    expect((await h.listAllRuns()).map((r) => r.runId)).toStrictEqual([
      "custom id",
      "b",
      "etl-20260101T000000-abcd",
    ]);
    expect((await h.listAllRuns({ limit: 1 })).map((r) => r.runId)).toStrictEqual(["custom id"]);
    expect((await h.listAllRuns({ status: "FAILED" })).map((r) => r.runId)).toStrictEqual([
      "etl-20260101T000000-abcd",
    ]);
  });

  it("lays out one folder per run: run.json and tasks/<sk>.json", async () => {
    const d = fresh();
    const handle = createTaskHandler({
      tasks: { t: task("t", () => 1) },
      ...localStores({ dir: d, env: {} }),
      logger: quietLogger(),
    });
    await handle(request("t", [], { run: "run-9", state: "t-2", index: 4, attempt: 1 }));
    const files = await readdir(join(d, "history/run-9/tasks"));
    expect(files.map(decodeURIComponent)).toStrictEqual(["TASK#t-2#000004#001.json"]);
    const rec = JSON.parse(await readFile(join(d, "history/run-9/tasks", files[0]), "utf8"));
    expect(rec).toMatchObject({
      status: "SUCCEEDED",
      result: { v: 1 },
      state: "t-2",
      mapIndex: 4,
      attempt: 1,
    });
  });
});
