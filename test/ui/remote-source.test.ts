/**
 * `stepflow ui --remote`: runs read from a DynamoDB history table (dynalite) written by the real
 * task handler and recorder, the graph from the definition Step Functions gives back for the
 * execution (mocked SFN: no Step Functions emulator here), and a console link per run.
 */
import { DescribeStateMachineForExecutionCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
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
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let table: string;

beforeAll(async () => {
  dynamo = await startDynamo();
  table = await createHistoryTable(dynamo.config, "stepflow-ui-history");
});
afterAll(async () => {
  sfn.restore();
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

    const source = remoteRunSource({ sfn: new SFNClient({ region: "eu-west-1" }), history: awsHistoryStore({ table, clientConfig: dynamo.config }) });
    const runs = await source.listRuns({});
    expect(runs.map((r) => [r.runId, r.status, r.summary])).toEqual([["gated-run-1", "FAILED", "States.Timeout: wait-for-test timed out"]]);
    const view = await source.getRun("gated-run-1");
    expect(view?.consoleUrl).toContain("states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:");
    expect(view?.attempts.map((a) => [a.state, a.status])).toEqual([["prepare", "SUCCEEDED"]]);
    const graph = runGraph(view!)!;
    expect(graph.nodes.filter((n) => n.kind === "task").map((n) => [n.id, n.status])).toEqual([["prepare", "SUCCEEDED"], ["wait-for-test", "NOT_RUN"]]);
    expect(await source.getAttempt("gated-run-1", { state: "prepare", attempt: 0 })).toEqual({ result: [0, 1, 2], logs: [] });
  });
});
