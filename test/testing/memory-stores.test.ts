import { describe, expect, it } from "vitest";
import type { FlowRunRecord, TaskRunRecord } from "../../functions/index.ts";
import { memoryHistory, memoryResults } from "../../sdk/testing/private/memory-stores.ts";
import { flowRun, historyContract, taskRun } from "../functions/support/history-contract.ts";

describe("memory history store (what runFlow runs with)", () => {
  historyContract(() => memoryHistory());

  it("keeps its records in the maps it is given", async () => {
    const tasks = new Map<string, TaskRunRecord>();
    const runs = new Map<string, FlowRunRecord>();
    const h = memoryHistory({ tasks, runs });
    await h.putTaskRun(taskRun());
    await h.putFlowRun(flowRun());
    expect([...tasks.entries()]).toStrictEqual([["run-1/load/3/0", taskRun()]]);
    expect([...runs.entries()]).toStrictEqual([["run-1", flowRun()]]);
  });
});

describe("memory result store", () => {
  it("keeps JSON text in the map it is given and names a key never written", async () => {
    const data = new Map<string, string>();
    const store = memoryResults(data);
    expect(await store.put("runs/f/r/s/0.json", { a: [1, 2] })).toBe(11);
    expect(data.get("runs/f/r/s/0.json")).toBe('{"a":[1,2]}');
    expect(await store.get("runs/f/r/s/0.json")).toStrictEqual({ a: [1, 2] });
    await expect(store.get("runs/f/r/s/9.json")).rejects.toThrow(
      /result `runs\/f\/r\/s\/9.json` was never written in this test run/,
    );
  });
});
