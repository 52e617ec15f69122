/**
 * The client's history reads against dynalite, with records written by the real runtime: the
 * task handler (task runs, attempts, errors) and the recorder (flow runs from status events).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, type ExecutionStatus, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRunRecord } from "../../functions/index.ts";
import { ClientConfigError, RunNotFoundError } from "../../sdk/client/index.ts";
import { task } from "../../sdk/index.ts";
import { createHistoryTable, startDynamo } from "../functions/support/emulators.ts";
import { toTheMoon } from "./support/flows.ts";
import { historyWriter } from "./support/history-writer.ts";
import { execArn, mockedClient } from "./support/mocks.ts";

const FLOW = "to-the-moon";
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let table: string;

let failuresLeft = 0;
const getPrices = task("get-prices", (coin: string, days: number) => {
  if (failuresLeft-- > 0)
    throw Object.assign(new Error(`CoinGecko answered 503 for \`${coin}\``), { name: "HttpError" });
  return Array.from({ length: days }, (_, i) => 100 - i);
});
const lowest = task("lowest", (prices: number[]) => Math.min(...prices));

/** The runtime's writers, on the dynalite table. */
const runtime = () =>
  historyWriter({
    table,
    clientConfig: dynamo.config,
    flow: FLOW,
    tasks: { "get-prices": getPrices, lowest },
    input: { coin: "BTC", days: 2, apiToken: "hunter2" },
  });

const t = (iso: string) => Date.parse(iso);

beforeAll(async () => {
  dynamo = await startDynamo();
  table = await createHistoryTable(dynamo.config, "stepflow-history");
  const { status, call } = runtime();
  // An old failed run, a succeeded run with a retried task, and a run still going.
  await status("run-old", "RUNNING", t("2025-04-30T09:00:00Z"));
  await call("run-old", "get-prices", ["BTC", 2]).then(() => undefined);
  await status("run-old", "FAILED", t("2025-04-30T09:00:00Z"), {
    stopDate: t("2025-04-30T09:00:05Z"),
    error: "HttpError",
    cause: JSON.stringify({ errorType: "HttpError", errorMessage: "CoinGecko answered 503 for `BTC`" }),
  });
  await status("run-ok", "RUNNING", t("2025-05-01T12:00:00Z"));
  failuresLeft = 1;
  await call("run-ok", "get-prices", ["BTC", 2], 0);
  await call("run-ok", "get-prices", ["BTC", 2], 1);
  await call("run-ok", "lowest", [[100, 99]]);
  await status("run-ok", "SUCCEEDED", t("2025-05-01T12:00:00Z"), {
    stopDate: t("2025-05-01T12:00:03Z"),
    output: '{"v":99}',
  });
  await status("run-now", "RUNNING", t("2025-05-02T08:00:00Z"));
});

afterAll(() => dynamo?.stop());

const client = () =>
  mockedClient({ dynamodb: new DynamoDBClient(dynamo.config), historyTable: table, resultsBucket: "b" });

describe("StepflowClient history", () => {
  it("lists a flow's runs newest first", async () => {
    const runs = await client().client.runs(toTheMoon);
    expect(runs.map((r) => [r.runId, r.status])).toStrictEqual([
      ["run-now", "RUNNING"],
      ["run-ok", "SUCCEEDED"],
      ["run-old", "FAILED"],
    ]);
    expect(runs[1]).toMatchObject({
      flow: FLOW,
      executionArn: execArn(FLOW, "run-ok"),
      durationMs: 3000,
      params: { coin: "BTC", days: 2, apiToken: "***" },
      output: { v: 99 },
    });
  });

  it("filters by status, start time and count", async () => {
    const c = client().client;
    expect((await c.runs(FLOW, { status: "FAILED" })).map((r) => r.runId)).toStrictEqual(["run-old"]);
    expect((await c.runs(FLOW, { since: "2025-05-01T00:00:00Z" })).map((r) => r.runId)).toStrictEqual([
      "run-now",
      "run-ok",
    ]);
    expect((await c.runs(FLOW, { limit: 1 })).map((r) => r.runId)).toStrictEqual(["run-now"]);
    expect(await c.runs("other-flow")).toStrictEqual([]);
  });

  it("reads one run with every task attempt and its error", async () => {
    const run = await client().client.run("run-ok");
    expect(run).toMatchObject({
      runId: "run-ok",
      status: "SUCCEEDED",
      startedAt: "2025-05-01T12:00:00.000Z",
    });
    expect(run.tasks.map((x) => [x.state, x.attempt, x.status, x.error?.name])).toStrictEqual([
      ["get-prices", 0, "FAILED", "HttpError"],
      ["get-prices", 1, "SUCCEEDED", undefined],
      ["lowest", 0, "SUCCEEDED", undefined],
    ]);
    expect(run.tasks[0].error?.message).toBe("CoinGecko answered 503 for `BTC`");
    expect(run.tasks[2].result).toStrictEqual({ v: 99 });
  });

  it("lists the subflow runs a run started, and each child names its parent (`stepflow runs <id> --remote`)", async () => {
    const child = historyWriter({
      table,
      clientConfig: dynamo.config,
      flow: "monthly",
      tasks: {},
      input: { month: "2024-02", AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: execArn(FLOW, "run-ok") },
    });
    await child.status("run-ok-child", "FAILED", t("2025-05-01T12:00:01Z"), { stopDate: t("2025-05-01T12:00:02Z") });
    const c = client().client;
    const parent = await c.run("run-ok");
    expect(parent.children.map((r) => [r.runId, r.flow, r.status, r.params])).toStrictEqual([
      ["run-ok-child", "monthly", "FAILED", { month: "2024-02" }],
    ]);
    expect((await c.run("run-ok-child")).parentRunId).toBe("run-ok");
    const { childRunsView } = await import("../../sdk/cli/private/task-runs-view.ts");
    expect(childRunsView(parent.children, true)).toMatch(/^run-ok-child +monthly +FAILED .* \{"month":"2024-02"\}$/m);
  });

  it("keeps the run's error from its status event", async () => {
    const run = await client().client.run("run-old");
    expect(run.error).toStrictEqual({ name: "HttpError", message: "CoinGecko answered 503 for `BTC`" });
  });

  it("says how to configure credentials when the history read finds none", async () => {
    const none = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    const dynamodb = new DynamoDBClient({ ...dynamo.config, credentials: () => Promise.reject(none) });
    const { client } = mockedClient({ dynamodb, historyTable: table });
    const error = await client.runs(FLOW).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientConfigError);
    expect((error as Error).message).toMatch(/no AWS credentials were found for `dynamodb:Query`/);
    expect((error as Error).cause).toBe(none);
  });

  it("throws RunNotFoundError for a run the history does not have", async () => {
    await expect(client().client.run("nope")).rejects.toThrow(RunNotFoundError);
    await expect(client().client.run("nope")).rejects.toThrow(
      /`nope` is not in history table `stepflow-history`/,
    );
  });

  it("streams task progress from history while waiting", async () => {
    const env = client();
    const { call } = runtime();
    env.sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: execArn(FLOW, "run-live"), startDate: new Date() });
    let polls = 0;
    env.sfn.on(DescribeExecutionCommand).callsFake(async () => {
      polls++;
      if (polls === 2) await call("run-live", "lowest", [[3, 1]]);
      return { status: (polls < 3 ? "RUNNING" : "SUCCEEDED") as ExecutionStatus, output: '{"v":1}' };
    });
    const run = await env.client.start(toTheMoon, { coin: "BTC" });
    await call("run-live", "get-prices", ["BTC", 2]);
    const seen: TaskRunRecord[] = [];
    expect(await run.result({ pollInterval: 5, onTask: (r) => seen.push(r) })).toBe(1);
    expect(seen.map((r) => [r.state, r.status])).toStrictEqual([
      ["get-prices", "SUCCEEDED"],
      ["lowest", "SUCCEEDED"],
    ]);
  });
});
