/**
 * The cache lease across Lambdas, against dynalite (leases in the history table) and s3rver
 * (cache entries in the results bucket): concurrent invocations with one key run the task once,
 * a dead holder's lease is taken over, a live holder's is not (whatever the clocks say), and a
 * failing holder releases it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { awsCacheLease, awsStores, createTaskHandler, type TaskHandlerDeps } from "../../functions/index.ts";
import { cacheKey } from "../../functions/private/cache.ts";
import { task } from "../../sdk/define/task.ts";
import { createHistoryTable, startDynamo, startS3 } from "./support/emulators.ts";
import { captureLogs } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

const BUCKET = "stepflow-results";
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let s3: Awaited<ReturnType<typeof startS3>>;
let tables = 0;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  logs = captureLogs();
  [dynamo, s3] = await Promise.all([startDynamo(), startS3(BUCKET)]);
});
afterAll(async () => {
  logs.restore();
  await Promise.all([dynamo?.stop(), s3?.stop()]);
});

/** A fresh history table, and the stores and lease a task Lambda builds over it. */
async function lambdaDeps(table?: string): Promise<Omit<TaskHandlerDeps, "tasks"> & { table: string }> {
  const name = table ?? (await createHistoryTable(dynamo.config, `lease-${++tables}`));
  return {
    table: name,
    ...awsStores({ bucket: BUCKET, table: name, clients: { s3: s3.config, dynamodb: dynamo.config } }),
    cacheLease: awsCacheLease({ table: name, clientConfig: dynamo.config }),
  };
}

/** The task handler module loaded anew: a second Lambda, which shares no in-process lock with the first. */
async function anotherLambda(): Promise<typeof createTaskHandler> {
  vi.resetModules();
  return (await import("../../functions/task-handler.ts")).createTaskHandler;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("cache lease on AWS (dynalite + s3rver)", () => {
  it("runs the task once for concurrent invocations in two Lambdas; the other returns its entry", async () => {
    let calls = 0;
    const quote = task("quote", { cache: { expiresIn: 600 } }, async (coin: string) => {
      calls++;
      await sleep(300);
      return `${coin}:${calls}`;
    });
    const deps = await lambdaDeps();
    const [first, second] = [await anotherLambda(), await anotherLambda()];
    expect(first).not.toBe(second);
    const outs = await Promise.all(
      [first, second, first, second].map((create, i) =>
        create({ ...deps, tasks: { quote } })(request("quote", [{ v: "BTC" }], { run: `r${i}` })),
      ),
    );
    expect(calls).toBe(1);
    expect(outs).toStrictEqual([1, 2, 3, 4].map(() => ({ v: "BTC:1" })));
    // Released after the run: the item is marked free, so a later call (after expiry) can take it.
    const key = cacheKey(request("quote", [{ v: "BTC" }]), quote, ["BTC"]) as string;
    expect(await deps.cacheLease?.read(key)).toBeUndefined();
  });

  it("takes over a lease whose holder died (it stopped renewing) and runs the task", async () => {
    let calls = 0;
    const quote = task("quote", { cache: { expiresIn: 600 }, timeout: 20 }, (coin: string) => `${coin}:${++calls}`);
    const deps = await lambdaDeps();
    const key = cacheKey(request("quote", [{ v: "ETH" }]), quote, ["ETH"]) as string;
    // A Lambda that took the lease and was killed: nobody renews or releases it.
    expect(await deps.cacheLease?.create(key, "dead-holder")).toBe(true);
    // A short lease: nobody renews this one, so only how soon the takeover comes depends on it.
    const handle = createTaskHandler({ ...deps, tasks: { quote }, cacheLeaseMs: 100 });
    expect(await handle(request("quote", [{ v: "ETH" }]))).toStrictEqual({ v: "ETH:1" });
    expect(calls).toBe(1);
    expect(logs.lines.map((l) => l.message)).toContain(
      "took over the cache key's lease from a holder that stopped renewing it",
    );
    expect(await deps.cacheLease?.read(key)).toBeUndefined();
  });

  it("waits for a live holder however far the clocks disagree, and times out within the task's timeout", async () => {
    let calls = 0;
    // The shortest `timeout` (1 s): 10 renewals, each of which the waiter must see within its lease.
    const quote = task("quote", { cache: { expiresIn: 600 }, timeout: 1 }, (coin: string) => `${coin}:${++calls}`);
    const deps = await lambdaDeps();
    const lease = deps.cacheLease!;
    const key = cacheKey(request("quote", [{ v: "SOL" }]), quote, ["SOL"]) as string;
    expect(await lease.create(key, "live-holder")).toBe(true);
    // The holder renews every 100 ms, three times faster than the waiter's lease duration.
    let beat = 0;
    const renew = setInterval(() => {
      void lease.replace(key, { token: "live-holder", beat }, { token: "live-holder", beat: beat + 1 }).then((ok) => {
        if (ok) beat++;
      });
    }, 100);
    // A waiter whose wall clock runs a day ahead: a lease measured by wall clocks would look stale.
    const skewed = createTaskHandler({ ...deps, tasks: { quote }, cacheLeaseMs: 300, clock: () => Date.now() + 86_400_000 });
    try {
      await expect(skewed(request("quote", [{ v: "SOL" }]))).rejects.toThrow(
        /task `quote` \(state `quote`\) waited until its `timeout` for another call with the same cache key .* which holds the key's lease/,
      );
    } finally {
      clearInterval(renew);
    }
    expect(calls).toBe(0);
    expect(beat).toBeGreaterThan(3);
    expect(await lease.read(key)).toStrictEqual({ token: "live-holder", beat });
  });

  it("releases the lease when the holder fails, so a waiting invocation runs the task itself", async () => {
    let calls = 0;
    let running = 0;
    let overlapped = false;
    const flaky = task("flaky", { cache: { expiresIn: 600 } }, async (coin: string) => {
      const n = ++calls;
      overlapped ||= ++running > 1;
      await sleep(200);
      running--;
      if (n === 1) throw new Error("upstream down");
      return `${coin}:${n}`;
    });
    const deps = await lambdaDeps();
    const [first, second] = [await anotherLambda(), await anotherLambda()];
    const a = first({ ...deps, tasks: { flaky } })(request("flaky", [{ v: "ADA" }], { run: "a" }));
    await sleep(50);
    const b = second({ ...deps, tasks: { flaky } })(request("flaky", [{ v: "ADA" }], { run: "b" }));
    await expect(a).rejects.toThrow("upstream down");
    expect(await b).toStrictEqual({ v: "ADA:2" });
    expect(calls).toBe(2);
    // The second ran only once the first had failed and released the lease.
    expect(overlapped).toBe(false);
  });

  it("lets exactly one of many concurrent takeovers of one stale lease win", async () => {
    const { cacheLease: lease } = await lambdaDeps();
    await lease!.create("f/t/k", "dead");
    const seen = { token: "dead", beat: 0 };
    const wins = await Promise.all(
      Array.from({ length: 8 }, (_, i) => lease!.replace("f/t/k", seen, { token: `taker-${i}`, beat: 0 })),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = `taker-${wins.indexOf(true)}`;
    expect(await lease!.read("f/t/k")).toStrictEqual({ token: winner, beat: 0 });
    // A release by anyone but the holder changes nothing.
    await lease!.release("f/t/k", "dead");
    expect(await lease!.read("f/t/k")).toStrictEqual({ token: winner, beat: 0 });
    await lease!.release("f/t/k", winner);
    expect(await lease!.create("f/t/k", "next")).toBe(true);
  });
});
