/** Behaviour every HistoryStore must have; run against the local and the DynamoDB store. */
import { expect, it } from "vitest";
import type { FlowRunRecord, HistoryStore, TaskRunRecord } from "../../../functions/index.ts";

export const taskRun = (over: Partial<TaskRunRecord> = {}): TaskRunRecord => ({
  flow: "etl",
  runId: "run-1",
  task: "load",
  state: "load",
  mapIndex: 3,
  attempt: 0,
  status: "RUNNING",
  startedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

export const flowRun = (over: Partial<FlowRunRecord> = {}): FlowRunRecord => ({
  flow: "etl",
  runId: "run-1",
  status: "RUNNING",
  rank: 0,
  executionArn: "arn:aws:states:us-east-1:1:execution:stepflow-etl:run-1",
  stateMachineArn: "arn:aws:states:us-east-1:1:stateMachine:stepflow-etl",
  startedAt: "2026-01-01T00:00:00.000Z",
  ...over,
});

/** Defines the shared history tests; `store()` returns a fresh, empty store. */
export function historyContract(store: () => HistoryStore | Promise<HistoryStore>): void {
  it("keeps one record per attempt and never regresses a terminal status", async () => {
    const h = await store();
    await h.putTaskRun(taskRun());
    await h.putTaskRun(
      taskRun({ status: "SUCCEEDED", endedAt: "2026-01-01T00:00:01.000Z", result: { v: 1 } }),
    );
    await h.putTaskRun(taskRun()); // a redelivered start of the same attempt
    await h.putTaskRun(taskRun({ status: "FAILED", error: { name: "Error", message: "late duplicate" } }));
    const { tasks } = await h.getRun("run-1");
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: "SUCCEEDED", result: { v: 1 }, mapIndex: 3, attempt: 0 });
  });

  it("lets a later success of the same attempt win over its failure (a redelivered invocation)", async () => {
    const h = await store();
    await h.putTaskRun(taskRun());
    await h.putTaskRun(taskRun({ status: "FAILED", error: { name: "Sandbox.Timedout", message: "first delivery" } }));
    await h.putTaskRun(taskRun({ status: "SUCCEEDED", result: { v: 2 } }));
    await h.putTaskRun(taskRun({ status: "FAILED", error: { name: "Error", message: "a late third delivery" } }));
    const { tasks } = await h.getRun("run-1");
    expect(tasks.map((t) => [t.status, t.result])).toStrictEqual([["SUCCEEDED", { v: 2 }]]);
  });

  it("returns a run with its task runs in state, index and attempt order", async () => {
    const h = await store();
    await h.putTaskRun(taskRun({ mapIndex: 10, attempt: 1, status: "SUCCEEDED" }));
    await h.putTaskRun(taskRun({ mapIndex: 10, attempt: 0, status: "FAILED" }));
    await h.putTaskRun(taskRun({ mapIndex: 2, attempt: 0, status: "SUCCEEDED" }));
    await h.putTaskRun(taskRun({ runId: "run-2", status: "SUCCEEDED" }));
    await h.putFlowRun(flowRun());
    const { run, tasks } = await h.getRun("run-1");
    expect(run).toMatchObject({ flow: "etl", runId: "run-1", status: "RUNNING" });
    expect(tasks.map((t) => [t.mapIndex, t.attempt, t.status])).toStrictEqual([
      [2, 0, "SUCCEEDED"],
      [10, 0, "FAILED"],
      [10, 1, "SUCCEEDED"],
    ]);
  });

  it("moves a flow run forward only, whatever order the writes arrive in", async () => {
    const h = await store();
    await h.putFlowRun(
      flowRun({ status: "FAILED", rank: 1, error: { name: "States.TaskFailed", message: "boom" } }),
    );
    await h.putFlowRun(flowRun({ status: "RUNNING", rank: 0 }));
    expect((await h.getRun("run-1")).run).toMatchObject({ status: "FAILED", error: { message: "boom" } });
    await h.putFlowRun(flowRun({ status: "RUNNING", rank: 2 })); // redriven
    expect((await h.getRun("run-1")).run?.status).toBe("RUNNING");
  });

  it("lists a flow's runs newest first, and its runs of one status", async () => {
    const h = await store();
    const at = (d: number) => `2026-01-0${d}T00:00:00.000Z`;
    await h.putFlowRun(flowRun({ runId: "a", startedAt: at(1), status: "SUCCEEDED", rank: 1 }));
    await h.putFlowRun(flowRun({ runId: "b", startedAt: at(2), status: "FAILED", rank: 1 }));
    await h.putFlowRun(flowRun({ runId: "c", startedAt: at(3), status: "FAILED", rank: 1 }));
    await h.putFlowRun(flowRun({ runId: "d", startedAt: at(4) }));
    await h.putFlowRun(flowRun({ flow: "other", runId: "e", startedAt: at(5) }));
    expect((await h.listRuns("etl")).map((r) => r.runId)).toStrictEqual(["d", "c", "b", "a"]);
    expect((await h.listRuns("etl", { limit: 2 })).map((r) => r.runId)).toStrictEqual(["d", "c"]);
    expect((await h.listRuns("etl", { status: "FAILED" })).map((r) => r.runId)).toStrictEqual(["c", "b"]);
  });

  it("keeps each subflow run beside its parent, oldest first, and lists it once under its own flow", async () => {
    const h = await store();
    const at = (m: number) => `2026-01-01T00:0${m}:00.000Z`;
    const kid = (runId: string, m: number, over: Partial<FlowRunRecord> = {}) =>
      flowRun({ flow: "month", runId, parentRunId: "run-1", startedAt: at(m), ...over });
    await h.putFlowRun(flowRun());
    await h.putFlowRun(kid("kid-b", 2));
    await h.putFlowRun(kid("kid-a", 1));
    await h.putFlowRun(kid("kid-b", 2, { status: "SUCCEEDED", rank: 1 }));
    await h.putFlowRun(kid("kid-b", 2)); // a late RUNNING event
    const { run, children } = await h.getRun("run-1");
    expect(run?.runId).toBe("run-1");
    expect(children?.map((c) => [c.runId, c.status, c.parentRunId])).toStrictEqual([
      ["kid-a", "RUNNING", "run-1"],
      ["kid-b", "SUCCEEDED", "run-1"],
    ]);
    expect((await h.getRun("kid-b")).run).toMatchObject({ status: "SUCCEEDED", parentRunId: "run-1" });
    expect((await h.listRuns("month")).map((r) => r.runId)).toStrictEqual(["kid-b", "kid-a"]);
    expect((await h.listRuns("etl")).map((r) => r.runId)).toStrictEqual(["run-1"]);
  });
}
