import { describe, expect, it } from "vitest";
import { createRecorder } from "../../functions/index.ts";
import { type ExecutionStatusDetail, flowNameOf, flowOfStateMachine } from "../../functions/status-event.ts";
import { stateMachineName } from "../../sdk/core/deploy-names.ts";
import { memoryHistory, quietLogger } from "./support/memory-stores.ts";

const detail = (over: Partial<ExecutionStatusDetail> = {}): ExecutionStatusDetail => ({
  executionArn: "arn:aws:states:us-east-1:123:execution:stepflow-to-the-moon:run-1",
  stateMachineArn: "arn:aws:states:us-east-1:123:stateMachine:stepflow-to-the-moon",
  name: "run-1",
  status: "RUNNING",
  startDate: Date.parse("2026-01-01T00:00:00Z"),
  stopDate: null,
  input: JSON.stringify({
    coin: "DOGE",
    apiToken: "tok-123",
    nested: { password: "pw" },
    AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: "x",
  }),
  output: null,
  error: null,
  cause: null,
  ...over,
});

function setup() {
  const history = memoryHistory();
  const record = createRecorder({ history, logger: quietLogger() });
  const send = (d: ExecutionStatusDetail) =>
    record({ "detail-type": "Step Functions Execution Status Change", source: "aws.states", detail: d });
  return { history, send };
}

describe("run recorder", () => {
  it("names the flow after its state machine without the `stepflow-` prefix", () => {
    expect(flowNameOf("arn:aws:states:us-east-1:123:stateMachine:stepflow-to-the-moon")).toBe("to-the-moon");
  });

  it.each([
    ["stepflow-to-the-moon", "to-the-moon"],
    ["dev-stepflow-to-the-moon", "to-the-moon"],
    ["stepflow-dev-stepflow-x", "dev-stepflow-x"],
    ["prod2-stepflow-stepflow-x", "stepflow-x"],
  ])("names the flow of state machine `%s` `%s`, as `stateMachineName` names it", (machine, flow) => {
    expect(flowOfStateMachine(`arn:aws:states:us-east-1:123:stateMachine:${machine}`)).toBe(flow);
    const stage = machine.startsWith("stepflow-") ? undefined : machine.split("-")[0];
    expect(stateMachineName(flow, stage)).toBe(machine);
  });

  it.each(["someone-elses-machine", "STEPFLOW-stepflow-x", "my-team-stepflow-x", "stepflow-"])("knows state machine `%s` is not stepflow's", (machine) => {
    expect(flowOfStateMachine(`arn:aws:states:us-east-1:123:stateMachine:${machine}`)).toBeUndefined();
  });

  it("records a staged deploy's run under its flow, as its task records are", async () => {
    const { history, send } = setup();
    await send(detail({ stateMachineArn: "arn:aws:states:us-east-1:123:stateMachine:dev-stepflow-to-the-moon" }));
    expect(history.runs.get("run-1")).toMatchObject({ flow: "to-the-moon", status: "RUNNING" });
  });

  it("writes the flow run with params, masking credential-looking ones", async () => {
    const { history, send } = setup();
    await send(detail());
    expect(history.runs.get("run-1")).toMatchObject({
      flow: "to-the-moon",
      status: "RUNNING",
      startedAt: "2026-01-01T00:00:00.000Z",
      params: { coin: "DOGE", apiToken: "***", nested: { password: "***" } },
    });
    expect(JSON.stringify(history.runs.get("run-1"))).not.toMatch(/tok-123|"pw"|AWS_STEP_FUNCTIONS/);
  });

  it("keeps the terminal status when RUNNING arrives after FAILED, with the readable cause", async () => {
    const { history, send } = setup();
    const cause = JSON.stringify({ errorType: "RateLimited", errorMessage: "slow down", trace: [] });
    await send(
      detail({ status: "FAILED", stopDate: Date.parse("2026-01-01T00:01:00Z"), error: "RateLimited", cause }),
    );
    await send(detail());
    expect(history.runs.get("run-1")).toMatchObject({
      status: "FAILED",
      durationMs: 60_000,
      endedAt: "2026-01-01T00:01:00.000Z",
      error: { name: "RateLimited", message: "slow down" },
    });
  });

  it("lets a redriven run go back to RUNNING", async () => {
    const { history, send } = setup();
    await send(detail({ status: "FAILED", stopDate: Date.parse("2026-01-01T00:01:00Z") }));
    await send(detail({ status: "RUNNING", redriveCount: 1 }));
    expect(history.runs.get("run-1")?.status).toBe("RUNNING");
  });

  it("records the parent run of a subflow run from the execution ARN its input carries", async () => {
    const { history, send } = setup();
    const parentArn = "arn:aws:states:us-east-1:123:execution:stepflow-etl-months:etl-months-20260101T000000Z-k3x9qa0b7mzd";
    await send(detail({ input: JSON.stringify({ month: "2026-01", AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: parentArn }) }));
    expect(history.runs.get("run-1")).toMatchObject({
      parentRunId: "etl-months-20260101T000000Z-k3x9qa0b7mzd",
      params: { month: "2026-01" },
    });
    await send(detail({ name: "run-2", input: JSON.stringify({ AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: "not-an-arn" }) }));
    await send(detail({ name: "run-3", input: JSON.stringify({ coin: "DOGE" }) }));
    expect([history.runs.get("run-2")?.parentRunId, history.runs.get("run-3")?.parentRunId]).toStrictEqual([
      undefined,
      undefined,
    ]);
  });

  it("reads the execution history at the end of its flows' runs only, not of a Distributed Map's child executions", async () => {
    const read: string[] = [];
    const record = createRecorder({
      history: memoryHistory(),
      logger: quietLogger(),
      executions: async (arn) => {
        read.push(arn);
        return [];
      },
    });
    const end = { status: "SUCCEEDED", stopDate: Date.parse("2026-01-01T00:01:00Z") };
    await record({ detail: detail(end) });
    await record({ detail: detail() });
    const child = "arn:aws:states:us-east-1:123:stateMachine:stepflow-to-the-moon/fanout";
    await record({ detail: detail({ ...end, name: "c1", stateMachineArn: child, executionArn: `${child}:c1` }) });
    expect(read).toStrictEqual([detail().executionArn]);
  });

  it("ignores statuses it does not keep", async () => {
    const { history, send } = setup();
    expect(await send(detail({ status: "PENDING_REDRIVE" }))).toBeUndefined();
    expect(history.runs.size).toBe(0);
  });
});
