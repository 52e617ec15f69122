/**
 * The AWS stores under faults, through a proxy on 127.0.0.1 in front of dynalite and s3rver
 * that answers 500s, drops connections and leaves requests hanging: work that succeeded is
 * recorded, calls are bounded in time, and errors name the store and the operation.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  awsHistoryStore,
  awsResultStore,
  createTaskHandler,
  lambdaHandler,
  type StoreCallPolicy,
  StoreError,
} from "../../functions/index.ts";
import { task } from "../../sdk/define/task.ts";
import { createHistoryTable, startDynamo, startS3 } from "./support/emulators.ts";
import { type FaultProxy, startFaultProxy, type Fault } from "./support/fault-proxy.ts";
import { captureLogs, memoryResults, memorySecrets, testLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let s3: Awaited<ReturnType<typeof startS3>>;
let proxy: FaultProxy | undefined;
let tables = 0;
const FAST: StoreCallPolicy = { timeoutMs: 2000, attempts: 8, baseDelayMs: 5, maxDelayMs: 50, budgetMs: 5000 };

beforeAll(async () => {
  dynamo = await startDynamo();
  s3 = await startS3("faulty");
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), s3?.stop()]);
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/** A task handler whose history goes through the fault proxy; results stay in memory. */
async function handlerBehind(decide: (n: number) => Fault, retry: StoreCallPolicy = FAST) {
  const table = await createHistoryTable(dynamo.config, `faults-${++tables}`);
  proxy = await startFaultProxy(dynamo.config.endpoint, decide);
  const history = awsHistoryStore({ table, clientConfig: { ...dynamo.config, endpoint: proxy.endpoint }, retry });
  const calls: number[] = [];
  const double = task("double", (x: number) => {
    calls.push(x);
    return x * 2;
  });
  const handle = createTaskHandler({
    tasks: { double },
    results: memoryResults(),
    history,
    secrets: memorySecrets({}),
    logger: testLogger(),
  });
  return { handle, calls, table };
}

/** The task records of run `r1` read straight from dynalite (not through the proxy). */
async function recordsOf(table: string) {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(dynamo.config));
  const out = await client.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": "RUN#r1" } }),
  );
  return (out.Items ?? []).map((i) => [Number(i.mapIndex), String(i.status)] as const);
}

/**
 * A request time limit for dynalite as loaded as the machine is now: 20 times its slowest answer
 * to 5 queries, between 400 ms and 2.5 s.
 */
async function requestLimitMs(): Promise<number> {
  const table = await createHistoryTable(dynamo.config, `faults-${++tables}`);
  let slowest = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await recordsOf(table);
    slowest = Math.max(slowest, performance.now() - start);
  }
  return Math.round(Math.min(2500, Math.max(400, 20 * slowest)));
}

describe("stores under faults", () => {
  it("records every successful task when 3 of every 5 DynamoDB requests get a 500", async () => {
    const logs = captureLogs();
    try {
      // Each write meets the same run of 500s whatever the count: 8 tasks (16 writes, 24 errors)
      // show what 60 did; each request is a round trip through the proxy to dynalite.
      const tasks = 8;
      const { handle, table } = await handlerBehind((n) => (n % 5 < 3 ? "error" : "pass"));
      for (let i = 0; i < tasks; i++) await handle(request("double", [{ v: i }], { index: i }));
      const records = await recordsOf(table);
      expect(records.filter(([, s]) => s === "SUCCEEDED").map(([i]) => i).sort((a, b) => a - b)).toStrictEqual(
        Array.from({ length: tasks }, (_, i) => i),
      );
      // Two writes a task (running, then succeeded), 3 errors for every 2 writes that pass.
      expect(proxy?.seen.filter((s) => s.fault === "error").length).toBeGreaterThanOrEqual(2.5 * tasks);
    } finally {
      logs.restore();
    }
  }, 60_000);

  it("records every successful task through an outage in which requests hang or are dropped", async () => {
    const logs = captureLogs();
    try {
      let outage = 0;
      // A request time limit well above dynalite's answer time on this machine now, so only the
      // outage fails requests (at load 22, a fixed 1 s per try and 10 s in all lost 23 of 30
      // records); the test lasts about the outage plus one hung request's limit.
      const retry = { timeoutMs: await requestLimitMs(), attempts: 12, baseDelayMs: 20, maxDelayMs: 500, budgetMs: 40_000 };
      const { handle, table, calls } = await handlerBehind((n) => {
        // Half a second: the tasks started in it (20 ms apart) meet hangs and drops. A longer
        // outage only lengthens the test, which lasts about the outage plus a hung request's
        // time limit.
        if (outage === 0 || Date.now() > outage + 500) return "pass";
        return n % 2 ? "hang" : "drop";
      }, retry);
      const runs: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        if (i === 10) outage = Date.now();
        runs.push(handle(request("double", [{ v: i }], { index: i })));
        await new Promise((r) => setTimeout(r, 20));
      }
      const envelopes = await Promise.all(runs);
      expect(envelopes).toStrictEqual(Array.from({ length: 30 }, (_, i) => ({ v: i * 2 })));
      expect(calls).toHaveLength(30);
      const records = await recordsOf(table);
      expect(records.filter(([, s]) => s === "SUCCEEDED")).toHaveLength(30);
      expect(records.filter(([, s]) => s !== "SUCCEEDED")).toStrictEqual([]);
      expect(proxy?.seen.filter((s) => s.fault === "hang").length).toBeGreaterThan(0);
    } finally {
      logs.restore();
    }
  }, 120_000);

  it("runs the task while DynamoDB hangs, returns its result, and logs which write failed", async () => {
    const logs = captureLogs();
    try {
      const retry = { timeoutMs: 100, attempts: 2, baseDelayMs: 5, budgetMs: 1000 };
      const { handle, calls, table } = await handlerBehind(() => "hang", retry);
      expect(await handle(request("double", [{ v: 21 }]))).toStrictEqual({ v: 42 });
      expect(calls).toStrictEqual([21]);
      const errors = logs.lines.filter((l) => l.level === "ERROR").map((l) => `${l.message} ${l.error}`);
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(
        new RegExp(`could not write the RUNNING task-run record.*StoreError: DynamoDB \`PutItem\` on history table \`${table}\` failed 2 times .*RequestTimeout: no answer within 100 ms`),
      );
      expect(errors[1]).toMatch(/could not write the SUCCEEDED task-run record to history; the task's outcome stands/);
    } finally {
      logs.restore();
    }
  });

  it("ends a store's retries with the Lambda's remaining time, not its own 12 s budget", async () => {
    const logs = captureLogs();
    try {
      const table = await createHistoryTable(dynamo.config, `faults-${++tables}`);
      proxy = await startFaultProxy(dynamo.config.endpoint, () => "hang");
      const handler = lambdaHandler(
        task("double", (x: number) => x * 2),
        {
          env: { STEPFLOW_RESULTS_BUCKET: "unused", STEPFLOW_HISTORY_TABLE: table },
          clients: { dynamodb: { ...dynamo.config, endpoint: proxy.endpoint } },
        },
      );
      // 1.5 s left: the stores keep 1 s back to return, so the history writes get 0.5 s in all,
      // far less than the 12 s budget and the 3 s request time limit of the default policy.
      const context = { getRemainingTimeInMillis: () => 1500 };
      expect(await handler(request("double", [{ v: 21 }]), context)).toStrictEqual({ v: 42 });
      const errors = logs.lines.filter((l) => l.level === "ERROR").map((l) => String(l.error));
      expect(errors).toHaveLength(2);
      for (const e of errors) {
        expect(e).toMatch(/StoreError: DynamoDB `PutItem` on history table `.*` failed 1 time over \d+ ms, stopped by the invocation's remaining time,/);
      }
      // The default policy, with no deadline, sends up to 6 requests per write.
      expect(proxy.seen.length).toBeLessThanOrEqual(2);
    } finally {
      logs.restore();
    }
  });

  it("names S3 and the operation when an object cannot be read or written, after bounded retries", async () => {
    proxy = await startFaultProxy(String(s3.config.endpoint), () => "drop");
    const store = awsResultStore({
      bucket: "faulty",
      clientConfig: { ...s3.config, endpoint: proxy.endpoint },
      retry: { attempts: 3, baseDelayMs: 5, timeoutMs: 500 },
    });
    const put = await store.put("runs/f/r/s/0.json", { a: 1 }).catch((e: unknown) => e);
    expect(put).toBeInstanceOf(StoreError);
    expect((put as Error).message).toMatch(/^S3 `PutObject` on `s3:\/\/faulty\/runs\/f\/r\/s\/0\.json` failed 3 times over \d+ ms \(last: .*socket hang up\)/);
    const get = await store.get("runs/f/r/s/0.json").catch((e: unknown) => e);
    expect((get as Error).message).toMatch(/^S3 `GetObject` on `s3:\/\/faulty\/runs\/f\/r\/s\/0\.json` failed 3 times/);
    expect(proxy.seen).toHaveLength(6);
  });

  it("passes through errors that retrying cannot fix, after one request", async () => {
    const { table } = await handlerBehind(() => "pass");
    const history = awsHistoryStore({ table: `${table}-missing`, clientConfig: { ...dynamo.config, endpoint: proxy?.endpoint }, retry: FAST });
    await expect(history.getRun("r1")).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    expect(proxy?.seen).toHaveLength(1);
  });
});
