import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  awsHistoryStore,
  awsResultStore,
  awsSecretStore,
  createRecorderHandler,
  lambdaHandler,
  ResultNotFoundError,
  SecretNotFoundError,
} from "../../functions/index.ts";
import { task } from "../../sdk/define/task.ts";
import { type Envelope, PAYLOAD_LIMIT_BYTES } from "../../sdk/core/protocol.ts";
import { startAwsStub } from "../support/http-stubs.ts";
import { createHistoryTable, startDynamo, startS3, startSecretsManager } from "./support/emulators.ts";
import { flowRun, historyContract, taskRun } from "./support/history-contract.ts";
import { lambdaContext } from "./support/lambda-context.ts";
import { captureLogs } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

const BUCKET = "stepflow-results";
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let s3: Awaited<ReturnType<typeof startS3>>;
let sm: Awaited<ReturnType<typeof startSecretsManager>>;
let tables = 0;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  logs = captureLogs();
  dynamo = await startDynamo();
  s3 = await startS3(BUCKET);
  sm = await startSecretsManager({ "stepflow/slack-webhook": "https://hooks.example/T0/B0/secret-part" });
});
afterAll(async () => {
  logs.restore();
  await Promise.all([dynamo?.stop(), s3?.stop(), sm?.stop()]);
});

/** A fresh table (dynalite creates it instantly). */
const freshTable = () => createHistoryTable(dynamo.config, `history-${++tables}`);

/** A document client that counts the commands it sends. */
function countingClient() {
  const commands: string[] = [];
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(dynamo.config));
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "countCommands" },
  );
  return { client, commands };
}

describe("DynamoDB history store (dynalite)", () => {
  historyContract(async () => awsHistoryStore({ table: await freshTable(), clientConfig: dynamo.config }));

  it("answers each of the three queries with a single Query call", async () => {
    const table = await freshTable();
    const { client, commands } = countingClient();
    const h = awsHistoryStore({ table, client });
    for (let i = 0; i < 20; i++) await h.putTaskRun(taskRun({ mapIndex: i, status: "SUCCEEDED" }));
    await h.putFlowRun(flowRun({ status: "FAILED", rank: 1 }));
    await h.putFlowRun(flowRun({ runId: "run-0", startedAt: "2025-12-31T00:00:00.000Z" }));
    commands.length = 0;
    expect((await h.getRun("run-1")).tasks).toHaveLength(20);
    expect((await h.listRuns("etl")).map((r) => r.runId)).toStrictEqual(["run-1", "run-0"]);
    expect((await h.listRuns("etl", { status: "FAILED" })).map((r) => r.runId)).toStrictEqual(["run-1"]);
    expect(commands).toStrictEqual(["QueryCommand", "QueryCommand", "QueryCommand"]);
  });

  it("writes conditionally, so a redelivered attempt is one item with its terminal status", async () => {
    const table = await freshTable();
    const { client, commands } = countingClient();
    const h = awsHistoryStore({ table, client, clock: () => Date.parse("2026-01-01T00:00:00Z"), ttlDays: 1 });
    await h.putTaskRun(taskRun({ status: "SUCCEEDED" }));
    await h.putTaskRun(taskRun({ status: "RUNNING" }));
    await h.putTaskRun(taskRun({ status: "SUCCEEDED", durationMs: 5 }));
    expect(commands).toStrictEqual(["PutItemCommand", "PutItemCommand", "PutItemCommand"]);
    const { GetCommand } = await import("@aws-sdk/lib-dynamodb");
    const { Item } = await client.send(
      new GetCommand({ TableName: table, Key: { pk: "RUN#run-1", sk: "TASK#load#000003#000" } }),
    );
    expect(Item).toMatchObject({ status: "SUCCEEDED", expiresAt: Date.parse("2026-01-02T00:00:00Z") / 1000 });
    expect(Item?.durationMs).toBeUndefined();
  });
});

describe("S3 result store (s3rver)", () => {
  it("round-trips JSON and reports a missing key as ResultNotFoundError", async () => {
    const store = awsResultStore({ bucket: BUCKET, clientConfig: s3.config });
    expect(await store.put("runs/f/r/s/0.json", { ok: [1, "two"] })).toBe(16);
    expect(await store.get("runs/f/r/s/0.json")).toStrictEqual({ ok: [1, "two"] });
    await expect(store.get("runs/f/r/s/404.json")).rejects.toBeInstanceOf(ResultNotFoundError);
  });
});

describe("Secrets Manager secret store (stub)", () => {
  it("reads `stepflow/<name>`, caches it for the TTL, and reads again after", async () => {
    const now = { t: 0 };
    const store = awsSecretStore({ clientConfig: sm.config, clock: () => now.t, ttlSeconds: 300 });
    sm.requests.length = 0;
    expect(await store.get("slack-webhook")).toBe("https://hooks.example/T0/B0/secret-part");
    now.t = 299_000;
    await store.get("slack-webhook");
    expect(sm.requests).toStrictEqual([
      {
        target: "secretsmanager.GetSecretValue",
        operation: "GetSecretValue",
        body: { SecretId: "stepflow/slack-webhook" },
      },
    ]);
    now.t = 300_000;
    await store.get("slack-webhook");
    expect(sm.requests).toHaveLength(2);
  });

  it("fails a missing secret with the command that sets it", async () => {
    const store = awsSecretStore({ clientConfig: sm.config, prefix: "team/" });
    const error = (await store.get("slack-webhook").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect(error.message).toBe(
      "secret `slack-webhook` does not exist in Secrets Manager (looked for `team/slack-webhook`); create it with `stepflow secret set slack-webhook`",
    );
  });
});

describe("Lambda entries against the emulators", () => {
  const FIVE_MB = 5 * 1024 * 1024;
  const produce = task("produce", (n: number) => "x".repeat(n));
  /**
   * 12 items of 25-50 KB: 350 KB in all, over the 256 KB a list's envelope may take, so every item
   * is stored. The count does not matter to that (it was 100 items of 2-4 KB, 380 KB): each item
   * is a stored envelope, an S3 object and a Lambda invocation, so fewer, larger items cost less.
   */
  const ITEMS = 12;
  const ITEM_CHARS = 25_000;
  const split = task("split", (n: number) => Array.from({ length: ITEMS }, (_, i) => String(i).repeat(n)));
  const measure = task("measure", (s: string, hook: string) => ({
    length: s.length,
    hookIsSecret: hook.includes("secret-part"),
  }));

  it("passes a 5 MB result to the next task while every envelope stays under 256 KB", async () => {
    const table = await freshTable();
    const options = {
      env: { STEPFLOW_RESULTS_BUCKET: BUCKET, STEPFLOW_HISTORY_TABLE: table },
      clients: { s3: s3.config, dynamodb: dynamo.config, secretsManager: sm.config },
    };
    // One handler per task, as one Lambda container would hold.
    const [produceLambda, measureLambda, splitLambda] = [produce, measure, split].map((t) =>
      lambdaHandler(t, options),
    );
    const envelopes: Envelope[] = [];
    const produced = await produceLambda(request("produce", [{ v: FIVE_MB }], { run: "big" }));
    envelopes.push(produced);
    expect(produced).toStrictEqual({ s3: "runs/f/big/produce/0.json", bytes: FIVE_MB + 2 });
    const hook = { secret: "slack-webhook" };
    const measured = await measureLambda(request("measure", [{ env: produced }, hook], { run: "big" }));
    envelopes.push(measured);
    expect(measured).toStrictEqual({ v: { length: FIVE_MB, hookIsSecret: true } });

    // The items fan out through stored item envelopes.
    const items = await splitLambda(request("split", [{ v: ITEM_CHARS }], { run: "big", out: ["items"] }));
    envelopes.push(items);
    const list = "items" in items ? items.items : [];
    expect(list).toHaveLength(ITEMS);
    expect(list.every((e) => "s3" in e)).toBe(true);
    // 20 at a time: a Lambda container serves one invocation at a time, and all requests at once
    // would hold the emulators past the stores' request time limits on a loaded machine.
    const each: Envelope[] = [];
    for (let from = 0; from < list.length; from += 20) {
      const batch = list.slice(from, from + 20).map((item, i) =>
        measureLambda(
          request("measure", [{ env: item }, { v: "x" }], { run: "big", state: "measure-2", index: from + i }),
        ),
      );
      each.push(...(await Promise.all(batch)));
    }
    envelopes.push(...each);
    expect(each.map((e) => ("v" in e ? (e.v as { length: number }).length : 0))).toStrictEqual(
      Array.from({ length: ITEMS }, (_, i) => String(i).length * ITEM_CHARS),
    );
    for (const e of envelopes) expect(JSON.stringify(e).length).toBeLessThan(PAYLOAD_LIMIT_BYTES);

    const history = awsHistoryStore({ table, clientConfig: dynamo.config });
    const { tasks } = await history.getRun("big");
    expect(tasks.filter((t) => t.status === "SUCCEEDED")).toHaveLength(ITEMS + 3);
    expect(JSON.stringify(tasks)).not.toContain("secret-part");
  });

  it("puts the Lambda context (request id, cold start) on every task log line", async () => {
    const table = await freshTable();
    const say = task("say", (word: string) => {
      console.log(`said ${word}`);
      return word;
    });
    // As Lambda sets it for an on-demand environment: Powertools reports cold starts only there.
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    const handler = lambdaHandler(say, {
      env: { STEPFLOW_RESULTS_BUCKET: BUCKET, STEPFLOW_HISTORY_TABLE: table },
      clients: { s3: s3.config, dynamodb: dynamo.config, secretsManager: sm.config },
    });
    const context = (awsRequestId: string) => lambdaContext(awsRequestId, "stepflow-f-say");
    const lines: Record<string, unknown>[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      for (const line of String(chunk).split("\n")) if (line.startsWith("{")) lines.push(JSON.parse(line));
      return true;
    });
    try {
      await handler(request("say", [{ v: "hi" }], { run: "ctx-1" }), context("req-1"));
      await handler(request("say", [{ v: "ho" }], { run: "ctx-2" }), context("req-2"));
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    const ours = lines.filter((l) => l.service === "stepflow");
    expect(ours.map((l) => l.message)).toContain("said hi");
    expect(ours.length).toBeGreaterThanOrEqual(6);
    for (const line of ours) {
      expect(line.function_request_id).toBe(line.runId === "ctx-1" ? "req-1" : "req-2");
      expect(line.function_name).toBe("stepflow-f-say");
      expect(line.cold_start).toBe(line.runId === "ctx-1");
    }
  });

  it("fails clearly when the environment is incomplete", async () => {
    await expect(lambdaHandler(produce, { env: {} })(request("produce", [{ v: 1 }]))).rejects.toThrow(
      /environment variable `STEPFLOW_RESULTS_BUCKET` is not set/,
    );
  });

  it("records execution status events through the recorder Lambda", async () => {
    const table = await freshTable();
    // At the run's end the recorder reads the execution history (here: no task ran).
    const sfn = await startAwsStub({ GetExecutionHistory: () => ({ events: [] }) });
    // As Lambda sets it for an on-demand environment (Powertools reads it when the Logger is made).
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    const handler = createRecorderHandler({
      env: { STEPFLOW_HISTORY_TABLE: table },
      clients: { dynamodb: dynamo.config, sfn: { ...dynamo.config, endpoint: sfn.endpoint } },
    });
    const detail = {
      executionArn: "arn:aws:states:us-east-1:1:execution:stepflow-etl:r9",
      stateMachineArn: "arn:aws:states:us-east-1:1:stateMachine:stepflow-etl",
      name: "r9",
      startDate: Date.parse("2026-01-01T00:00:00Z"),
      input: '{"day":"2026-01-01"}',
    };
    const logs = captureLogs();
    try {
      const ended = { ...detail, status: "SUCCEEDED", stopDate: Date.parse("2026-01-01T00:00:05Z"), output: '{"v":3}' };
      await handler({ detail: ended }, lambdaContext("req-1", "stepflow-recorder"));
      await handler({ detail: { ...detail, status: "RUNNING" } }, lambdaContext("req-2", "stepflow-recorder"));
    } finally {
      logs.restore();
      vi.unstubAllEnvs();
      await sfn.stop();
    }
    // Like the task and notifier entries: the Lambda context on every line.
    const ours = logs.lines.filter((l) => l.service === "stepflow-recorder");
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const line of ours) {
      expect(line.function_name).toBe("stepflow-recorder");
      expect([line.function_request_id, line.cold_start]).toEqual(line.status === "RUNNING" ? ["req-2", false] : ["req-1", true]);
    }
    expect(sfn.requests.map((q) => [q.operation, q.body.executionArn])).toStrictEqual([["GetExecutionHistory", detail.executionArn]]);
    const runs = await awsHistoryStore({ table, clientConfig: dynamo.config }).listRuns("etl", {
      status: "SUCCEEDED",
    });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      runId: "r9",
      status: "SUCCEEDED",
      durationMs: 5000,
      params: { day: "2026-01-01" },
      output: { v: 3 },
    });
  });
});
