/**
 * `stepflow trigger` and `stepflow runs --remote` in-process (`main`) against a Step Functions
 * stub and dynalite, with history written by the real task handler.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getData } from "../../flows/crypto-dip.ts";
import { main } from "../../sdk/cli/main.ts";
import { createHistoryTable, startDynamo } from "../functions/support/emulators.ts";
import { startAwsStub, stubEnv } from "../support/http-stubs.ts";
import { historyWriter } from "./support/history-writer.ts";
import { execArn, smArn } from "./support/mocks.ts";

const FLOW = "crypto-dip";
let sfn: Awaited<ReturnType<typeof startAwsStub>>;
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
/** What DescribeExecution answers next, per poll. */
let describes: Record<string, unknown>[] = [];

beforeAll(async () => {
  dynamo = await startDynamo();
  const table = await createHistoryTable(dynamo.config, "stepflow-history");
  sfn = await startAwsStub({
    ListStateMachines: () => ({
      stateMachines: [
        { name: `stepflow-${FLOW}`, stateMachineArn: smArn(FLOW), type: "STANDARD", creationDate: 0 },
      ],
    }),
    StartExecution: (b) =>
      b.name === "taken"
        ? { __error: "ExecutionAlreadyExists", message: "Execution Already Exists: 'taken'" }
        : b.name === "too-big"
          ? { __error: "InvalidExecutionInput", message: "Input exceeds the 262144 characters limit" }
          : { executionArn: execArn(FLOW, String(b.name)), startDate: Date.now() / 1000 },
    DescribeExecution: (b) => ({
      executionArn: b.executionArn,
      stateMachineArn: smArn(FLOW),
      startDate: 1_746_100_800,
      ...(describes.length > 1 ? describes.shift() : describes[0]),
    }),
  });
  Object.assign(process.env, stubEnv({ SFN: sfn.endpoint, DYNAMODB: dynamo.config.endpoint }), {
    STEPFLOW_HISTORY_TABLE: table,
  });
  // History of the run the --wait test follows, written by the real runtime.
  const writer = historyWriter({ table, clientConfig: dynamo.config, flow: FLOW, tasks: { "get-data": getData } });
  const ran = await writer.call("followed", "get-data", ["BTC", "fixture"]);
  if (ran instanceof Error) throw ran;
  await writer.status("followed", "SUCCEEDED", Date.parse("2025-05-01T12:00:00Z"), {
    stopDate: Date.parse("2025-05-01T12:00:02Z"),
  });
});
afterAll(async () => {
  await sfn?.stop();
  await dynamo?.stop();
});
beforeEach(() => {
  sfn.requests.length = 0;
  describes = [{ status: "SUCCEEDED", stopDate: 1_746_100_802, output: '{"v":true}' }];
});

async function cli(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await main(["node", "stepflow", ...args], io);
  return { code, stdout, stderr };
}

const started = () => sfn.requests.filter((r) => r.operation === "StartExecution").map((r) => r.body);

describe("stepflow trigger", () => {
  it("validates params from the flow file, starts the run and prints its id and console link", async () => {
    const out = await cli("trigger", "flows/crypto-dip.ts", "--param", "coin=BTC", "--param", "threshold=5");
    expect(out.code).toBe(0);
    const [body] = started();
    expect(JSON.parse(String(body.input))).toStrictEqual({ coin: "BTC", threshold: 5, source: "auto" });
    expect(body.name).toMatch(/^crypto-dip-\d{8}T\d{6}Z-[a-z0-9]{12}$/);
    const arn = execArn(FLOW, String(body.name));
    expect(out.stdout).toBe(
      `${body.name}\nhttps://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${arn}\n`,
    );
  });

  it("rejects bad params naming every bad field, before starting anything", async () => {
    const out = await cli(
      "trigger",
      "flows/crypto-dip.ts",
      "--param",
      "threshold=-1",
      "--param",
      "source=ftp",
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/`threshold`/);
    expect(out.stderr).toMatch(/`source`/);
    expect(started()).toHaveLength(0);
  });

  it("rejects a bad --timeout before starting anything", async () => {
    const out = await cli("trigger", FLOW, "--wait", "--timeout", "soon");
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/`--timeout soon` must be a number of seconds > 0/);
    expect(started()).toHaveLength(0);
  });

  it("starts a deployed flow by name, with params as given", async () => {
    const out = await cli(
      "trigger",
      FLOW,
      "--params-json",
      '{"coin":"ETH"}',
      "--param",
      "threshold=3",
      "--name",
      "adhoc-1",
    );
    expect(out.code).toBe(0);
    expect(started()[0]).toMatchObject({ name: "adhoc-1", stateMachineArn: smArn(FLOW) });
    expect(JSON.parse(String(started()[0].input))).toStrictEqual({ coin: "ETH", threshold: 3 });
  });

  it("says a taken run name is taken", async () => {
    const out = await cli("trigger", FLOW, "--name", "taken");
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/a run named `taken` already exists for flow `crypto-dip`.*omit it/);
  });

  it("reports an AWS error it has no fix for as AWS's answer with exit 2, not as a crash", async () => {
    const out = await cli("trigger", FLOW, "--name", "too-big");
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      "error: AWS refused the request: InvalidExecutionInput: Input exceeds the 262144 characters limit\n",
    );
  });

  it("with --wait, streams task progress from history and prints the result", async () => {
    describes = [
      { status: "RUNNING" },
      { status: "SUCCEEDED", stopDate: 1_746_100_802, output: '{"v":true}' },
    ];
    const out = await cli("trigger", FLOW, "--name", "followed", "--wait");
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/✓ get-data\s+\d/);
    expect(out.stderr).toMatch(/✔ crypto-dip SUCCEEDED in 2000 ms {2}\(run followed\)/);
    expect(out.stdout.split("\n").slice(2).join("\n")).toBe("true\n");
    // One DescribeExecution per poll, none more for the result.
    expect(sfn.requests.filter((r) => r.operation === "DescribeExecution")).toHaveLength(2);
  });

  it("with --wait --timeout, exits 124 when the run is still going, and says it goes on", async () => {
    describes = [{ status: "RUNNING" }];
    const out = await cli("trigger", FLOW, "--name", "slow", "--wait", "--timeout", "0.05");
    expect(out.code).toBe(124);
    expect(out.stderr).toMatch(/error: run `slow` of flow `crypto-dip` was still RUNNING after 50 ms; it goes on/);
    expect(out.stdout.split("\n")[0]).toBe("slow");
  });

  it("with --wait, exits 1 with the run's error when it fails", async () => {
    const cause = JSON.stringify({ errorType: "NonRetriableError", errorMessage: "coin `XYZ` is unknown" });
    describes = [{ status: "FAILED", stopDate: 1_746_100_801, error: "NonRetriableError", cause }];
    const out = await cli("trigger", FLOW, "--wait", "--history-table", "stepflow-history");
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/✗ crypto-dip FAILED in 1000 ms/);
    expect(out.stderr).toContain("NonRetriableError: coin `XYZ` is unknown");
  });
});

describe("stepflow runs --remote", () => {
  it("lists a flow's runs from the DynamoDB history", async () => {
    const out = await cli("runs", "--remote", FLOW);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/RUN ID\s+STATUS\s+STARTED \(UTC\)/);
    expect(out.stdout).toMatch(/followed\s+SUCCEEDED\s+2025-05-01 12:00:00/);
  });

  it("shows one run's task attempts", async () => {
    const out = await cli("runs", "followed", "--remote");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/get-data\s+1\s+SUCCEEDED/);
  });
});
