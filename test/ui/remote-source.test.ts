/**
 * `stepflow ui --remote`: runs read from a DynamoDB history table (dynalite) written by the real
 * task handler and recorder, the graph from the definition Step Functions gives back for the
 * execution (mocked SFN: no Step Functions emulator here), and a console link per run.
 */
import { DescribeStateMachineForExecutionCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsHistoryStore } from "../../functions/stores/aws-history-store.ts";
import { compile, task } from "../../sdk/index.ts";
import { runGraph } from "../../sdk/ui/app/graph-model.ts";
import { remoteRunSource } from "../../sdk/ui/remote-source.ts";
import { historyWriter } from "../client/support/history-writer.ts";
import { smArn } from "../client/support/mocks.ts";
import { createHistoryTable, startDynamo } from "../functions/support/emulators.ts";
import { gated } from "./fixtures/ui-flows.ts";

const sfn = mockClient(SFNClient);
const logs = mockClient(CloudWatchLogsClient);
const lambda = mockClient(LambdaClient);
/** Clients of the mocked services, as `remoteRunSource` options. */
const logClients = () => ({ logs: new CloudWatchLogsClient({ region: "eu-west-1" }), lambda: new LambdaClient({ region: "eu-west-1" }) });
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let table: string;

beforeAll(async () => {
  dynamo = await startDynamo();
  table = await createHistoryTable(dynamo.config, "stepflow-ui-history");
});
afterAll(async () => {
  sfn.restore();
  logs.restore();
  lambda.restore();
  await dynamo?.stop();
});

describe("remote run source", () => {
  it("lists deployed flows' runs from the history table and draws a run from the definition it ran, with its console link", async () => {
    const prepare = task("prepare", (n: number) => Array.from({ length: n }, (_, i) => i));
    const writer = historyWriter({ table, clientConfig: dynamo.config, flow: "gated", tasks: { prepare } });
    const started = Date.parse("2026-12-01T10:00:00Z");
    await writer.status("gated-run-1", "RUNNING", started);
    expect(await writer.call("gated-run-1", "prepare", [3])).not.toBeInstanceOf(Error);
    await writer.status("gated-run-1", "FAILED", started, { stopDate: started + 5000, error: "States.Timeout", cause: "wait-for-test timed out" });
    const { definition } = compile(gated);
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: "stepflow-gated", stateMachineArn: smArn("gated"), type: "STANDARD", creationDate: new Date(0) }, { name: "other-machine", stateMachineArn: "arn:x", type: "STANDARD", creationDate: new Date(0) }] });
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ name: "stepflow-gated", stateMachineArn: smArn("gated"), definition: JSON.stringify(definition), roleArn: "arn:role", updateDate: new Date(0) });

    const source = remoteRunSource({ sfn: new SFNClient({ region: "eu-west-1" }), history: awsHistoryStore({ table, clientConfig: dynamo.config }), ...logClients() });
    const runs = await source.listRuns({});
    expect(runs.map((r) => [r.runId, r.status, r.summary])).toEqual([["gated-run-1", "FAILED", "States.Timeout: wait-for-test timed out"]]);
    const view = await source.getRun("gated-run-1");
    expect(view?.consoleUrl).toContain("states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:");
    expect(view?.attempts.map((a) => [a.state, a.status])).toEqual([["prepare", "SUCCEEDED"]]);
    const graph = runGraph(view!)!;
    expect(graph.nodes.filter((n) => n.kind === "task").map((n) => [n.id, n.status])).toEqual([["prepare", "SUCCEEDED"], ["wait-for-test", "NOT_RUN"]]);
    // The definition from `compile` names no Lambda ARN (deployed ones do): the panel says why there are no lines.
    const detail = await source.getAttempt("gated-run-1", { state: "prepare", attempt: 0 });
    expect(detail?.result).toEqual([0, 1, 2]);
    expect(detail?.logs.map((l) => l.message)).toEqual(["the log lines of state `prepare` cannot be found: the run's state machine does not name its Lambda function"]);
  });

  it("reads an attempt's log lines from CloudWatch Logs: the function's log group, filtered on the run, state, item and attempt", async () => {
    const chunk = task("chunk", (n: number) => n * 2);
    const writer = historyWriter({ table, clientConfig: dynamo.config, flow: "gated", tasks: { chunk } });
    const started = Date.parse("2026-12-01T11:00:00Z");
    await writer.status("gated-run-2", "RUNNING", started);
    expect(await writer.call("gated-run-2", "chunk", [4], 1, 7)).not.toBeInstanceOf(Error);
    const fn = "arn:aws:lambda:eu-west-1:123456789012:function:stepflow-gated_chunk";
    const definition = { StartAt: "chunks", States: { chunks: { Type: "Map", ItemProcessor: { StartAt: "chunk", States: { chunk: { Type: "Task", Resource: fn, End: true } } }, End: true } } };
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ name: "stepflow-gated", stateMachineArn: smArn("gated"), definition: JSON.stringify(definition), roleArn: "arn:role", updateDate: new Date(0) });
    const at = Date.parse("2026-12-01T11:00:01Z");
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        { timestamp: at, message: JSON.stringify({ level: "INFO", message: "chunk 7 has 4 rows", runId: "gated-run-2", state: "chunk", mapIndex: 7, attempt: 1 }) },
        { timestamp: at + 5, message: "not a JSON line\n" },
      ],
    });
    lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: "stepflow-gated_chunk", LoggingConfig: { LogGroup: "Gated-TaskLogs-ABC123" } });

    const source = remoteRunSource({ sfn: new SFNClient({ region: "eu-west-1" }), history: awsHistoryStore({ table, clientConfig: dynamo.config }), ...logClients() });
    const detail = await source.getAttempt("gated-run-2", { state: "chunk", mapIndex: 7, attempt: 1 });
    expect(detail?.logs).toEqual([
      { level: "info", message: "chunk 7 has 4 rows", time: "2026-12-01T11:00:01.000Z" },
      { level: "info", message: "not a JSON line", time: "2026-12-01T11:00:01.005Z" },
    ]);
    expect(lambda.commandCalls(GetFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: fn }]);
    const [query] = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    const record = (await awsHistoryStore({ table, clientConfig: dynamo.config }).getRun("gated-run-2")).tasks[0];
    expect(query).toEqual({
      logGroupName: "Gated-TaskLogs-ABC123",
      filterPattern: '{ $.runId = "gated-run-2" && $.state = "chunk" && $.attempt = 1 && $.mapIndex = 7 }',
      startTime: Date.parse(record.startedAt) - 60_000,
      endTime: Date.parse(record.endedAt!) + 60_000,
      limit: 200,
      nextToken: undefined,
    });
  });

  it("shows why an attempt's lines could not be read instead of failing the panel", async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(Object.assign(new Error("User is not authorized to perform: lambda:GetFunctionConfiguration"), { name: "AccessDeniedException" }));
    const source = remoteRunSource({ sfn: new SFNClient({ region: "eu-west-1" }), history: awsHistoryStore({ table, clientConfig: dynamo.config }), ...logClients() });
    const detail = await source.getAttempt("gated-run-2", { state: "chunk", mapIndex: 7, attempt: 1 });
    expect(detail?.result).toBe(8);
    expect(detail?.logs.map((l) => [l.level, l.message])).toEqual([
      ["warn", expect.stringMatching(/^could not read the attempt's log lines from CloudWatch Logs \(`logs:FilterLogEvents`, `lambda:GetFunctionConfiguration`\): .*not authorized/)],
    ]);
  });
});
