import { GetObjectCommand } from "@aws-sdk/client-s3";
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionStatus,
  StartExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import {
  ClientConfigError,
  RunFailedError,
  RunNotFoundError,
  WaitTimeoutError,
} from "../../sdk/client/index.ts";
import { bigDoubler, doubler, quiet, toTheMoon } from "./support/flows.ts";
import { awsError, execArn, jsonBody, mockedClient } from "./support/mocks.ts";

const started = (flow: string, name = "r1") => ({ executionArn: execArn(flow, name), startDate: new Date() });
const described = (
  status: ExecutionStatus,
  more: Partial<DescribeExecutionCommandOutput> = {},
): DescribeExecutionCommandOutput => ({
  $metadata: {},
  executionArn: execArn("f", "r1"),
  stateMachineArn: "sm",
  status,
  startDate: new Date(0),
  ...(status === "RUNNING" ? {} : { stopDate: new Date(1000) }),
  ...more,
});
const FAST = { pollInterval: 1, maxPollInterval: 2 };

describe("RunHandle", () => {
  let env: ReturnType<typeof mockedClient>;
  afterEach(() => {
    env?.sfn.restore();
    env?.s3.restore();
    env?.secretsManager.restore();
  });

  it("polls DescribeExecution until the run ends, with a growing delay", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("quiet"));
    env.sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(described("RUNNING"))
      .resolvesOnce(described("RUNNING"))
      .resolves(described("SUCCEEDED", { output: "null" }));
    const run = await env.client.start(quiet);
    const done = await run.wait({ pollInterval: 10 });
    expect(done).toMatchObject({ status: "SUCCEEDED", runId: "r1", stoppedAt: new Date(1000) });
    expect(env.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
    expect(env.sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toStrictEqual({
      executionArn: execArn("quiet", "r1"),
    });
  });

  it("asks AWS once more for nothing after the run ended: wait() then result() make one DescribeExecution", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("to-the-moon"));
    env.sfn.on(DescribeExecutionCommand).resolves(described("SUCCEEDED", { output: '{"v":97}' }));
    const run = await env.client.start(toTheMoon, { coin: "BTC" });
    expect((await run.wait(FAST)).status).toBe("SUCCEEDED");
    expect(await run.result(FAST)).toBe(97);
    expect(await run.result(FAST)).toBe(97);
    expect(env.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
    // describe() and status() still ask AWS: they promise one DescribeExecution each.
    expect(await run.status()).toBe("SUCCEEDED");
    expect(env.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
  });

  it("throws WaitTimeoutError when the run outlasts `timeout`, and says the run goes on", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("quiet"));
    env.sfn.on(DescribeExecutionCommand).resolves(described("RUNNING"));
    const run = await env.client.start(quiet);
    const t0 = Date.now();
    const error = await run.wait({ timeout: 50, pollInterval: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(
      /run `r1` of flow `quiet` was still RUNNING after 50 ms; it goes on/,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it("decodes an inline result", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("to-the-moon"));
    env.sfn.on(DescribeExecutionCommand).resolves(described("SUCCEEDED", { output: '{"v":97}' }));
    const run = await env.client.start(toTheMoon, { coin: "BTC" });
    expect(await run.result(FAST)).toBe(97);
  });

  it("reads a stored result from the results bucket", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("to-the-moon"));
    const key = "runs/to-the-moon/r1/lowest/0.json";
    env.sfn
      .on(DescribeExecutionCommand)
      .resolves(described("SUCCEEDED", { output: JSON.stringify({ s3: key, bytes: 9000 }) }));
    env.s3.on(GetObjectCommand, { Bucket: "results-bucket", Key: key }).resolves({ Body: jsonBody([1, 2]) });
    const run = await env.client.start(toTheMoon, { coin: "BTC" });
    expect(await run.result(FAST)).toStrictEqual([1, 2]);
  });

  it("says which option is missing when a stored result needs the bucket", async () => {
    env = mockedClient({ resultsBucket: undefined });
    const saved = process.env.STEPFLOW_RESULTS_BUCKET;
    delete process.env.STEPFLOW_RESULTS_BUCKET;
    env.sfn.on(StartExecutionCommand).resolves(started("to-the-moon"));
    env.sfn.on(DescribeExecutionCommand).resolves(described("SUCCEEDED", { output: '{"s3":"k","bytes":1}' }));
    const run = await env.client.start(toTheMoon, { coin: "BTC" });
    await expect(run.result(FAST)).rejects.toThrow(ClientConfigError);
    await expect(run.result(FAST)).rejects.toThrow(/`resultsBucket`.*`STEPFLOW_RESULTS_BUCKET`/);
    if (saved !== undefined) process.env.STEPFLOW_RESULTS_BUCKET = saved;
  });

  it("decodes a Map's rows, inline and stored cells alike", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("doubler"));
    const rows = [{ double: { v: 2 } }, { double: { s3: "cell", bytes: 300 } }];
    env.sfn.on(DescribeExecutionCommand).resolves(described("SUCCEEDED", { output: JSON.stringify(rows) }));
    env.s3.on(GetObjectCommand, { Key: "cell" }).resolves({ Body: jsonBody(4) });
    const run = await env.client.start(doubler, { xs: [1, 2] });
    expect(await run.result(FAST)).toStrictEqual([2, 4]);
  });

  it("decodes a Distributed Map manifest in item order", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("big-doubler"));
    const manifest = { Bucket: "results-bucket", Key: "runs/big-doubler/r1/manifest.json" };
    env.sfn
      .on(DescribeExecutionCommand)
      .resolves(described("SUCCEEDED", { output: JSON.stringify(manifest) }));
    env.s3
      .on(GetObjectCommand, { Key: manifest.Key })
      .resolves({ Body: jsonBody({ ResultFiles: { SUCCEEDED: [{ Key: "part-1" }] } }) });
    const entry = (index: number, v: number) => ({
      Input: JSON.stringify({ index }),
      Output: JSON.stringify({ double: { v } }),
      Status: "SUCCEEDED",
    });
    env.s3.on(GetObjectCommand, { Key: "part-1" }).resolves({ Body: jsonBody([entry(1, 4), entry(0, 2)]) });
    const run = await env.client.start(bigDoubler, { xs: [1, 2] });
    expect(await run.result(FAST)).toStrictEqual([2, 4]);
  });

  it("returns null for a flow without a result", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("quiet"));
    env.sfn.on(DescribeExecutionCommand).resolves(described("SUCCEEDED", { output: '{"results":{}}' }));
    expect(await (await env.client.start(quiet)).result(FAST)).toBeNull();
  });

  it("decodes an envelope of a run started by flow name", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("to-the-moon"));
    env.sfn.on(DescribeExecutionCommand).resolves(described("SUCCEEDED", { output: '{"v":"hi"}' }));
    expect(await (await env.client.start("to-the-moon")).result(FAST)).toBe("hi");
  });

  it("throws the run's error and cause from `result()` of a failed run", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("to-the-moon"));
    const cause = JSON.stringify({
      errorType: "CoinError",
      errorMessage: "coin `XYZ` does not exist",
      trace: [],
    });
    env.sfn.on(DescribeExecutionCommand).resolves(described("FAILED", { error: "CoinError", cause }));
    const run = await env.client.start(toTheMoon, { coin: "XYZ" });
    const error = await run.result(FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunFailedError);
    expect(error).toMatchObject({
      status: "FAILED",
      error: "CoinError",
      runCause: "coin `XYZ` does not exist",
    });
    expect((error as Error).message).toContain(
      "ended FAILED, so it has no result (CoinError: coin `XYZ` does not exist)",
    );
    expect((error as Error).message).toContain(run.consoleUrl);
  });

  it("stops a run with StopExecution", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).resolves(started("quiet"));
    env.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const run = await env.client.start(quiet);
    await run.cancel({ cause: "wrong coin" });
    expect(env.sfn.commandCalls(StopExecutionCommand)[0].args[0].input).toStrictEqual({
      executionArn: execArn("quiet", "r1"),
      cause: "wrong coin",
    });
  });

  it("cancels by run id, finding the flow from the id", async () => {
    env = mockedClient();
    env.sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await env.client.cancel("to-the-moon-20250501T120000Z-k3x9qa");
    expect(env.sfn.commandCalls(StopExecutionCommand)[0].args[0].input.executionArn).toBe(
      execArn("to-the-moon", "to-the-moon-20250501T120000Z-k3x9qa"),
    );
  });

  it("says a run does not exist", async () => {
    env = mockedClient();
    env.sfn.on(StopExecutionCommand).rejects(awsError("ExecutionDoesNotExist"));
    await expect(env.client.cancel(execArn("quiet", "gone"))).rejects.toThrow(RunNotFoundError);
    await expect(env.client.cancel("no-flow-in-this-id")).rejects.toThrow(
      /pass the flow, or the execution ARN/,
    );
  });

  it("puts a secret value, and creates the secret when it does not exist", async () => {
    env = mockedClient();
    env.secretsManager
      .on(PutSecretValueCommand, { SecretId: "stepflow/old" })
      .resolves({ ARN: "arn:old" })
      .on(PutSecretValueCommand, { SecretId: "stepflow/new" })
      .rejects(awsError("ResourceNotFoundException"));
    env.secretsManager.on(CreateSecretCommand).resolves({ ARN: "arn:new" });
    expect(await env.client.setSecret("old", "value-one")).toStrictEqual({
      secretId: "stepflow/old",
      arn: "arn:old",
      created: false,
    });
    expect(await env.client.setSecret("new", "value-two")).toMatchObject({
      secretId: "stepflow/new",
      created: true,
    });
    expect(env.secretsManager.commandCalls(CreateSecretCommand)[0].args[0].input).toMatchObject({
      Name: "stepflow/new",
      SecretString: "value-two",
    });
  });
});
