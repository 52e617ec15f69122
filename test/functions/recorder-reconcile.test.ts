/**
 * The recorder completes task-run records the task Lambdas could not write: task attempts run
 * against a history table (dynalite) behind a fault proxy that fails every write, one Lambda is
 * "killed" after its RUNNING record, and at the run's end the recorder (through its Lambda entry)
 * reads the execution history from a Step Functions stub and writes what AWS says ran.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  awsHistoryStore,
  createRecorderHandler,
  createTaskHandler,
  type TaskRunRecord,
} from "../../functions/index.ts";
import type { ExecutionStatusDetail } from "../../functions/status-event.ts";
import type { Envelope, TaskRequest } from "../../sdk/core/protocol.ts";
import { task } from "../../sdk/define/task.ts";
import { type AwsStub, startAwsStub } from "../support/http-stubs.ts";
import { createHistoryTable, startDynamo } from "./support/emulators.ts";
import { type FaultProxy, startFaultProxy } from "./support/fault-proxy.ts";
import { captureLogs, memoryResults, memorySecrets, testLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let proxy: FaultProxy;
let sfn: AwsStub;
/** The execution history the Step Functions stub answers with, built as the run goes. */
const events: Record<string, unknown>[] = [];
const RUN = "r1";
// The recorder entry builds its own Powertools logger: keep its INFO lines out of the test output.
vi.stubEnv("POWERTOOLS_LOG_LEVEL", "ERROR");
const EXECUTION = `arn:aws:states:us-east-1:123456789012:execution:stepflow-f:${RUN}`;

beforeAll(async () => {
  dynamo = await startDynamo();
  proxy = await startFaultProxy(dynamo.config.endpoint, () => "error");
  // Three events a page, so the recorder must follow nextToken.
  sfn = await startAwsStub({
    GetExecutionHistory: ({ executionArn, nextToken }) => {
      if (executionArn !== EXECUTION) return { __error: "ExecutionDoesNotExist", message: `no ${String(executionArn)}` };
      const from = Number(nextToken ?? 0);
      const page = events.slice(from, from + 3);
      return from + 3 < events.length ? { events: page, nextToken: String(from + 3) } : { events: page };
    },
  });
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), proxy?.stop(), sfn?.stop()]);
});

/** Appends a history event as Step Functions records it (epoch seconds), returning its id. */
function event(type: string, previousEventId: number, details: Record<string, unknown> = {}): number {
  const id = events.length + 1;
  events.push({ id, previousEventId, type, timestamp: Date.now() / 1000, ...details });
  return id;
}

/** One attempt as Step Functions runs it: scheduled with the request, started, then its outcome. */
async function attempt(handle: (r: TaskRequest) => Promise<Envelope>, r: TaskRequest, finished = true): Promise<void> {
  const scheduled = event("LambdaFunctionScheduled", 0, {
    lambdaFunctionScheduledEventDetails: { resource: "arn:aws:lambda:us-east-1:123456789012:function:double", input: JSON.stringify(r) },
  });
  const started = event("LambdaFunctionStarted", scheduled);
  if (!finished) return;
  try {
    const envelope = await handle(r);
    event("LambdaFunctionSucceeded", started, { lambdaFunctionSucceededEventDetails: { output: JSON.stringify(envelope) } });
  } catch (error) {
    const { name, message } = error as Error;
    const cause = JSON.stringify({ errorType: name, errorMessage: message, trace: [] });
    event("LambdaFunctionFailed", started, { lambdaFunctionFailedEventDetails: { error: name, cause } });
  }
}

const summary = (t: TaskRunRecord) => [t.mapIndex, t.attempt, t.status, t.result ?? t.error?.name];

describe("recorder reconciling task runs at the run's end", () => {
  it("writes every attempt the execution history shows that the failing store lost", async () => {
    const table = await createHistoryTable(dynamo.config, "reconcile");
    const faulty = awsHistoryStore({
      table,
      clientConfig: { ...dynamo.config, endpoint: proxy.endpoint },
      retry: { attempts: 2, baseDelayMs: 5, timeoutMs: 1000 },
    });
    let calls = 0;
    const double = task("double", (x: number) => {
      if (x === 2 && calls++ === 0) throw new Error("flaky upstream");
      return x * 2;
    });
    const handle = createTaskHandler({ tasks: { double }, results: memoryResults(), history: faulty, secrets: memorySecrets({}), logger: testLogger() });
    const logs = captureLogs();
    try {
      for (const i of [0, 1, 2, 3]) await attempt(handle, request("double", [{ v: i }], { index: i }));
      await attempt(handle, request("double", [{ v: 2 }], { index: 2, attempt: 1 }));
      await attempt(handle, request("double", [{ v: 4 }], { index: 4 }), false); // still running at the end
    } finally {
      logs.restore();
    }
    expect(logs.lines.filter((l) => l.level === "ERROR" && /could not write/.test(String(l.message)))).toHaveLength(10);
    const healthy = awsHistoryStore({ table, clientConfig: dynamo.config });
    // A Lambda killed after its RUNNING record reached the table.
    await healthy.putTaskRun({ flow: "f", runId: RUN, task: "double", state: "double", mapIndex: 3, attempt: 0, status: "RUNNING", startedAt: new Date().toISOString() });
    expect((await healthy.getRun(RUN)).tasks.map(summary)).toStrictEqual([[3, 0, "RUNNING", undefined]]);

    const record = createRecorderHandler({
      env: { STEPFLOW_HISTORY_TABLE: table },
      clients: { dynamodb: dynamo.config, sfn: { endpoint: sfn.endpoint, region: "us-east-1", credentials: dynamo.config.credentials } },
    });
    const failed: ExecutionStatusDetail = {
      executionArn: EXECUTION,
      stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:stepflow-f",
      name: RUN,
      status: "FAILED",
      startDate: Date.now() - 1000,
      stopDate: Date.now(),
      error: "States.TaskFailed",
    };
    await record({ detail: failed });
    await record({ detail: failed }); // a redelivery changes nothing
    const { run, tasks } = await healthy.getRun(RUN);
    expect(run?.status).toBe("FAILED");
    expect(tasks.map(summary)).toStrictEqual([
      [0, 0, "SUCCEEDED", { v: 0 }],
      [1, 0, "SUCCEEDED", { v: 2 }],
      [2, 0, "FAILED", "Error"],
      [2, 1, "SUCCEEDED", { v: 4 }],
      [3, 0, "SUCCEEDED", { v: 6 }],
      [4, 0, "FAILED", "RunEnded"],
    ]);
    expect(tasks[2].error?.message).toBe("flaky upstream");
    expect(tasks[5].error?.message).toMatch(/^run `r1` ended FAILED while this attempt was still running/);
    expect(sfn.requests.filter((q) => q.operation === "GetExecutionHistory").length).toBe(2 * Math.ceil(events.length / 3));
  });

  it("fails the event (so it is retried, then kept in the dead-letter queue) when the history cannot be read", async () => {
    const table = await createHistoryTable(dynamo.config, "reconcile-unreadable");
    const record = createRecorderHandler({
      env: { STEPFLOW_HISTORY_TABLE: table },
      clients: { dynamodb: dynamo.config, sfn: { endpoint: sfn.endpoint, region: "us-east-1", credentials: dynamo.config.credentials } },
    });
    const detail = { executionArn: `${EXECUTION}-other`, stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:stepflow-f", name: "r2", status: "SUCCEEDED", startDate: Date.now() };
    await expect(record({ detail })).rejects.toMatchObject({ name: "ExecutionDoesNotExist" });
    // The run's own record was written first.
    expect((await awsHistoryStore({ table, clientConfig: dynamo.config }).getRun("r2")).run?.status).toBe("SUCCEEDED");
  });
});
