import { ListStateMachinesCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import {
  AccessDeniedError,
  ClientConfigError,
  FlowNotDeployedError,
  RunNameTakenError,
  ThrottledError,
} from "../../sdk/client/index.ts";
import { ParamsError, UsageError } from "../../sdk/index.ts";
import { quiet, toTheMoon } from "./support/flows.ts";
import { ACCOUNT, awsError, execArn, mockedClient, REGION, smArn } from "./support/mocks.ts";

const NAME = /^to-the-moon-\d{8}T\d{6}Z-[a-z0-9]{12}$/;

describe("StepflowClient.start", () => {
  let env: ReturnType<typeof mockedClient>;
  afterEach(() => env?.sfn.restore());

  const startResolves = () =>
    env.sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(":stateMachine:", ":execution:")}:${input.name}`,
      startDate: new Date(),
    }));

  it("validates params, fills defaults and starts an execution with the params as input", async () => {
    env = mockedClient();
    startResolves();
    const run = await env.client.start(toTheMoon, { coin: "BTC" });
    const [call] = env.sfn.commandCalls(StartExecutionCommand);
    expect(call.args[0].input.stateMachineArn).toBe(smArn("to-the-moon"));
    expect(JSON.parse(call.args[0].input.input ?? "")).toStrictEqual({ coin: "BTC", days: 3 });
    expect(call.args[0].input.name).toMatch(NAME);
    expect(run.runId).toBe(call.args[0].input.name);
    expect(run.executionArn).toBe(execArn("to-the-moon", run.runId));
    expect(run.consoleUrl).toBe(
      `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${run.executionArn}`,
    );
  });

  it("rejects bad params naming every bad field, before calling AWS", async () => {
    env = mockedClient();
    startResolves();
    const bad = { coin: 42, days: -1, extra: true } as never;
    const error = await env.client.start(toTheMoon, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParamsError);
    expect((error as ParamsError).issues.map((i) => i.path).sort()).toStrictEqual(["coin", "days", "extra"]);
    expect(env.sfn.calls()).toHaveLength(0);
  });

  it("sends params as they are when started by flow name", async () => {
    env = mockedClient();
    startResolves();
    const run = await env.client.start("to-the-moon", { coin: 42 });
    const [call] = env.sfn.commandCalls(StartExecutionCommand);
    expect(JSON.parse(call.args[0].input.input ?? "")).toStrictEqual({ coin: 42 });
    expect(run.flow).toBe("to-the-moon");
  });

  it("uses the given run name", async () => {
    env = mockedClient();
    startResolves();
    const run = await env.client.start(quiet, {}, { name: "nightly_2025-05-01" });
    expect(run.runId).toBe("nightly_2025-05-01");
    await expect(env.client.start(quiet, {}, { name: "has space" })).rejects.toThrow(UsageError);
  });

  it("generates unique names of at most 80 allowed characters, even for long flow names", async () => {
    env = mockedClient({ stateMachineArn: () => smArn("x") });
    startResolves();
    const long = `f${"o".repeat(70)}`;
    const names = await Promise.all([1, 2, 3].map(async () => (await env.client.start(long)).runId));
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(names[0].startsWith(long.slice(0, 50))).toBe(true);
  });

  it("looks state machines up once with ListStateMachines, then from its cache", async () => {
    env = mockedClient();
    startResolves();
    await env.client.start(toTheMoon, { coin: "BTC" });
    await env.client.start(quiet);
    expect(env.sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(1);
    expect(env.sfn.commandCalls(StartExecutionCommand)[1].args[0].input.stateMachineArn).toBe(smArn("quiet"));
  });

  it("builds the ARN from the naming when the account is known, with no lookup", async () => {
    env = mockedClient({ accountId: ACCOUNT, region: REGION });
    startResolves();
    await env.client.start(quiet);
    expect(env.sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
    expect(env.sfn.commandCalls(StartExecutionCommand)[0].args[0].input.stateMachineArn).toBe(smArn("quiet"));
  });

  it("uses an explicit ARN map", async () => {
    const arn = "arn:aws:states:eu-west-1:1:stateMachine:custom";
    env = mockedClient({ stateMachineArn: { quiet: arn } });
    startResolves();
    const run = await env.client.start(quiet);
    expect(run.executionArn).toBe(`arn:aws:states:eu-west-1:1:execution:custom:${run.runId}`);
  });

  it("says the flow is not deployed when no state machine has its name", async () => {
    env = mockedClient();
    await expect(env.client.start("nowhere")).rejects.toThrow(FlowNotDeployedError);
    await expect(env.client.start("nowhere")).rejects.toThrow(/`stepflow-nowhere`.*npx cdk deploy/);
  });

  it("says the flow is not deployed when StartExecution finds no state machine", async () => {
    env = mockedClient({ accountId: ACCOUNT });
    env.sfn.on(StartExecutionCommand).rejects(awsError("StateMachineDoesNotExist"));
    const error = await env.client.start(quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowNotDeployedError);
    expect((error as Error).message).toMatch(/flow `quiet` is not deployed: state machine `stepflow-quiet`.*`npx cdk deploy`/);
    expect((error as Error).cause).toMatchObject({ name: "StateMachineDoesNotExist" });
  });

  it("names a staged state machine as deployed when StartExecution finds none", async () => {
    env = mockedClient({ accountId: ACCOUNT, stage: "dev" });
    env.sfn.on(StartExecutionCommand).rejects(awsError("StateMachineDoesNotExist"));
    await expect(env.client.start(quiet)).rejects.toThrow(/state machine `dev-stepflow-quiet` does not exist/);
  });

  it("says the run name is taken and suggests omitting it", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).rejects(awsError("ExecutionAlreadyExists"));
    const error = await env.client.start(quiet, {}, { name: "once" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunNameTakenError);
    expect((error as Error).message).toMatch(/`once` already exists for flow `quiet`.*omit it/);
  });

  it("names the missing permission when access is denied", async () => {
    env = mockedClient();
    env.sfn
      .on(StartExecutionCommand)
      .rejects(awsError("AccessDeniedException", "User: arn:aws:iam::1:user/ci is not authorized"));
    const error = await env.client.start(quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).permission).toBe("states:StartExecution");
    expect((error as Error).message).toContain(`\`states:StartExecution\` on \`${smArn("quiet")}\``);
  });

  it("names ListStateMachines when the lookup is denied", async () => {
    env = mockedClient();
    env.sfn.on(ListStateMachinesCommand).rejects(awsError("AccessDeniedException"));
    await expect(env.client.start(quiet)).rejects.toMatchObject({ permission: "states:ListStateMachines" });
    await expect(env.client.start(quiet)).rejects.toThrow(/or pass the client's `accountId`/);
  });

  it("retries throttled requests, then succeeds", async () => {
    env = mockedClient();
    env.sfn
      .on(StartExecutionCommand)
      .rejectsOnce(awsError("ThrottlingException"))
      .rejectsOnce(awsError("ThrottlingException"))
      .resolves({ executionArn: execArn("quiet", "r"), startDate: new Date() });
    const run = await env.client.start(quiet);
    expect(run.executionArn).toBe(execArn("quiet", "r"));
    expect(env.sfn.commandCalls(StartExecutionCommand)).toHaveLength(3);
  });

  it("gives up on throttling after `retry.maxAttempts`", async () => {
    env = mockedClient({ retry: { maxAttempts: 3, baseDelayMs: 1 } });
    env.sfn.on(StartExecutionCommand).rejects(awsError("ThrottlingException"));
    await expect(env.client.start(quiet)).rejects.toThrow(ThrottledError);
    expect(env.sfn.commandCalls(StartExecutionCommand)).toHaveLength(3);
  });

  it("says how to configure credentials when the SDK finds none", async () => {
    env = mockedClient();
    const none = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    env.sfn.on(StartExecutionCommand).rejects(none);
    const error = await env.client.start(quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientConfigError);
    expect((error as Error).message).toMatch(/no AWS credentials were found for `states:StartExecution`; set `AWS_PROFILE`/);
    expect((error as Error).cause).toBe(none);
  });

  it("says how to set the region when the SDK has none", async () => {
    env = mockedClient();
    env.sfn.on(StartExecutionCommand).rejects(new Error("Region is missing"));
    await expect(env.client.start(quiet)).rejects.toThrow(/does not know the AWS region; pass `region`/);
  });

  it("passes other AWS errors through unchanged", async () => {
    env = mockedClient();
    const odd = awsError("InvalidExecutionInput");
    env.sfn.on(StartExecutionCommand).rejects(odd);
    await expect(env.client.start(quiet)).rejects.toBe(odd);
  });
});
