/**
 * Express flows: Step Functions cannot describe or stop Express executions, so the client runs
 * them with StartSyncExecution and never polls DescribeExecution. And stages: a client with a
 * `stage` finds `<stage>-stepflow-<flow>` and writes `<stage>-stepflow/<name>` secrets.
 */
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import { ExpressRunError, RunFailedError } from "../../sdk/client/index.ts";
import { flow } from "../../sdk/index.ts";
import { double } from "./support/flows.ts";
import { ACCOUNT, awsError, mockedClient, REGION, smArn } from "./support/mocks.ts";

const quick = flow("quick", { type: "EXPRESS" }, () => double(21));
const expressArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:express:stepflow-quick:${name}:5a6b7c8d-0000-4000-8000-000000000001`;

describe("Express flows", () => {
  let env: ReturnType<typeof mockedClient>;
  afterEach(() => {
    env?.sfn.restore();
    env?.secretsManager.restore();
  });

  it("runs with StartSyncExecution and answers wait/result/describe from its response, never DescribeExecution", async () => {
    env = mockedClient({ accountId: ACCOUNT, region: REGION });
    env.sfn.on(StartSyncExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: expressArn(input.name),
      status: "SUCCEEDED",
      output: JSON.stringify({ v: 42 }),
      startDate: new Date(0),
      stopDate: new Date(5),
    }));
    const run = await env.client.start(quick, {});
    const [call] = env.sfn.commandCalls(StartSyncExecutionCommand);
    expect(call.args[0].input).toMatchObject({ stateMachineArn: smArn("quick"), name: run.runId, input: "{}" });
    expect(run.executionArn).toBe(expressArn(run.runId));
    expect(await run.result()).toBe(42);
    expect(await run.status()).toBe("SUCCEEDED");
    expect(env.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(env.sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it("reports a failed Express run with its error and cause", async () => {
    env = mockedClient({ accountId: ACCOUNT, region: REGION });
    env.sfn.on(StartSyncExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: expressArn(input.name),
      status: "FAILED",
      error: "ValueError",
      cause: JSON.stringify({ errorType: "ValueError", errorMessage: "bad coin" }),
      startDate: new Date(0),
    }));
    const run = await env.client.start(quick, {});
    await expect(run.result()).rejects.toThrow(RunFailedError);
    expect(await run.wait()).toMatchObject({ status: "FAILED", error: "ValueError", cause: "bad coin" });
  });

  it("refuses to poll or stop an Express execution it did not run, saying why and what to do", async () => {
    env = mockedClient({ accountId: ACCOUNT, region: REGION });
    const handle = await env.client.handle(undefined, expressArn("quick-20261201T000000Z-abc"));
    expect(handle.flow).toBe("quick");
    expect(handle.runId).toBe("quick-20261201T000000Z-abc");
    await expect(handle.wait()).rejects.toThrow(ExpressRunError);
    await expect(handle.status()).rejects.toThrow(/Express execution, which Step Functions cannot `DescribeExecution`.*`client\.start\(flow, \.\.\.\)`/);
    await expect(handle.cancel()).rejects.toThrow(/cannot `StopExecution`/);
    expect(env.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(env.sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });
});

describe("stages", () => {
  let env: ReturnType<typeof mockedClient>;
  afterEach(() => {
    env?.sfn.restore();
    env?.secretsManager.restore();
  });

  it("starts `<stage>-stepflow-<flow>` and reads the flow back from its ARN", async () => {
    env = mockedClient({ accountId: ACCOUNT, region: REGION, stage: "dev" });
    env.sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(":stateMachine:", ":execution:")}:${input.name}`,
    }));
    const run = await env.client.start("to-the-moon", { coin: "BTC" });
    const [call] = env.sfn.commandCalls(StartExecutionCommand);
    expect(call.args[0].input.stateMachineArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:dev-stepflow-to-the-moon`);
    expect((await env.client.handle(undefined, run.executionArn)).flow).toBe("to-the-moon");
  });

  it("creates the stage's secret `<stage>-stepflow/<name>`, which the stage's tasks are granted", async () => {
    env = mockedClient({ stage: "dev" });
    env.secretsManager.on(PutSecretValueCommand).rejects(awsError("ResourceNotFoundException"));
    env.secretsManager.on(CreateSecretCommand).resolves({ ARN: "arn" });
    expect(await env.client.setSecret("slack-webhook", "https://hooks")).toMatchObject({
      secretId: "dev-stepflow/slack-webhook",
      created: true,
    });
    expect(env.secretsManager.commandCalls(CreateSecretCommand)[0].args[0].input.Name).toBe("dev-stepflow/slack-webhook");
  });
});
