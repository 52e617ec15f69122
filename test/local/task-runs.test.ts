import { describe, expect, it } from "vitest";
import type { HistoryStore, TaskRunRecord } from "../../functions/stores/types.ts";
import { TaskRunBook } from "../../sdk/local/private/task-runs.ts";
import { taskRun } from "../functions/support/history-contract.ts";

/** A book over a history that keeps each put. */
function book() {
  const written: TaskRunRecord[] = [];
  const history = { putTaskRun: (r: TaskRunRecord) => (written.push(r), Promise.resolve()) } as unknown as HistoryStore;
  const b = new TaskRunBook(history, undefined, (e) => {
    throw e;
  });
  return { b, written };
}

const ended = (over: Partial<TaskRunRecord>) =>
  taskRun({ status: "SUCCEEDED", endedAt: "2026-01-01T00:00:01.000Z", durationMs: 1000, ...over });

describe("the run's book of task attempts", () => {
  it("keeps an attempt that put its end alone, and one that put its start then its end, once each in start order", async () => {
    const { b, written } = book();
    await b.put(taskRun({ mapIndex: 0 }));
    await b.put(ended({ mapIndex: 1, startedAt: "2026-01-01T00:00:00.500Z" }));
    await b.put(ended({ mapIndex: 0 }));
    // A record that does not outrank the attempt's latest is not written again.
    await b.put(taskRun({ mapIndex: 0 }));
    expect(b.list().map((t) => `${t.mapIndex} ${t.status}`)).toStrictEqual(["0 SUCCEEDED", "1 SUCCEEDED"]);
    expect(written.map((r) => `${r.mapIndex} ${r.status}`)).toStrictEqual(["0 RUNNING", "1 SUCCEEDED", "0 SUCCEEDED"]);
  });

  it("finds a failed attempt that put its end alone, and settles at once when no attempt runs", async () => {
    const { b } = book();
    const error = { name: "Boom", message: "item 4 broke" };
    await b.put(taskRun({ mapIndex: 4, status: "FAILED", endedAt: "2026-01-01T00:00:01.000Z", durationMs: 1000, error }));
    expect(b.failed("run-1", "Boom", "item 4 broke")).toMatchObject({ mapIndex: 4 });
    expect(b.failed("run-1", "Boom", "other")).toBeUndefined();
    // Nothing runs: no grace to wait out (a pending settle would hold the test for a minute).
    await b.settle("run-1", 60_000);
  });

  it("ends the attempts still running when the run ends, and only those", async () => {
    const { b, written } = book();
    await b.put(taskRun({ mapIndex: 0 }));
    await b.put(ended({ mapIndex: 1 }));
    await b.put(taskRun({ mapIndex: 2 }));
    await b.put(ended({ mapIndex: 2 }));
    const settled = b.settle("run-1", 60_000);
    await b.endRunning("run-1", { name: "RunEnded", message: "the run ended" });
    await settled;
    expect(b.list().map((t) => `${t.mapIndex} ${t.status}`)).toStrictEqual(["0 FAILED", "1 SUCCEEDED", "2 SUCCEEDED"]);
    expect(written.filter((r) => r.status === "FAILED").map((r) => [r.mapIndex, r.error?.name])).toStrictEqual([[0, "RunEnded"]]);
  });
});
