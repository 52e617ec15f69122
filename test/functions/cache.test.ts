import { describe, expect, it } from "vitest";
import { createTaskHandler } from "../../functions/index.ts";
import { cacheKey } from "../../functions/private/cache.ts";
import { task } from "../../sdk/define/task.ts";
import { NonRetriableError } from "../../sdk/core/errors.ts";
import { cachedResultKey, cachedResultsPrefix, cacheKeyPrefix, flowRunsPrefix } from "../../sdk/core/protocol.ts";
import { memoryHistory, memoryResults, memorySecrets, quietLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

function setup() {
  let calls = 0;
  const now = { t: 1_000_000 };
  const price = task("price", { cache: { expiresIn: "1 minute" } }, (coin: string) => `${coin}:${++calls}`);
  const keyed = task(
    "keyed",
    { cache: { key: (coin: string) => coin.toLowerCase(), expiresIn: 60 } },
    (coin: string) => `${coin}:${++calls}`,
  );
  const history = memoryHistory();
  const handle = createTaskHandler({
    tasks: { price, keyed },
    results: memoryResults(),
    history,
    secrets: memorySecrets({ token: "first-value" }),
    clock: () => now.t,
    logger: quietLogger(),
  });
  return { handle, now, history, price, calls: () => calls };
}

describe("task result cache", () => {
  it("returns the cached result for the same inputs within `expiresIn`, and runs again after", async () => {
    const { handle, now, calls } = setup();
    expect(await handle(request("price", [{ v: "DOGE" }]))).toStrictEqual({ v: "DOGE:1" });
    now.t += 59_000;
    expect(await handle(request("price", [{ v: "DOGE" }], { run: "r2" }))).toStrictEqual({ v: "DOGE:1" });
    expect(calls()).toBe(1);
    now.t += 1_000;
    expect(await handle(request("price", [{ v: "DOGE" }], { run: "r3" }))).toStrictEqual({ v: "DOGE:2" });
  });

  it("misses on different inputs", async () => {
    const { handle, calls } = setup();
    await handle(request("price", [{ v: "DOGE" }]));
    expect(await handle(request("price", [{ v: "BTC" }]))).toStrictEqual({ v: "BTC:2" });
    expect(calls()).toBe(2);
  });

  it("uses the task's own key function", async () => {
    const { handle } = setup();
    await handle(request("keyed", [{ v: "DOGE" }]));
    expect(await handle(request("keyed", [{ v: "doge" }]))).toStrictEqual({ v: "DOGE:1" });
  });

  it("marks a cache hit in history", async () => {
    const { handle, history } = setup();
    await handle(request("price", [{ v: "DOGE" }]));
    await handle(request("price", [{ v: "DOGE" }], { run: "r2" }));
    const done = history.writes.filter((w) => w.status === "SUCCEEDED").map((w) => w.cached);
    expect(done).toStrictEqual([false, true]);
  });

  it("stores a cached result under its task's prefix, the only one FlowStack lets the task use", async () => {
    const results = memoryResults();
    const price = task("price", { cache: { expiresIn: 60 } }, (coin: string) => coin);
    const handle = createTaskHandler({ tasks: { price }, results, history: memoryHistory(), secrets: memorySecrets({}), logger: quietLogger() });
    await handle(request("price", [{ v: "DOGE" }], { flow: "prices" }));
    const cached = [...results.data.keys()].filter((k) => !k.startsWith(flowRunsPrefix("prices")));
    expect(cached).toHaveLength(1);
    expect(cached[0].startsWith(cachedResultsPrefix("prices", "price"))).toBe(true);
    const key = cacheKey(request("price", [{ v: "DOGE" }], { flow: "prices" }), price, ["DOGE"])!;
    expect(key.startsWith(cacheKeyPrefix("prices", "price"))).toBe(true);
    expect(cachedResultKey(key)).toBe(cached[0]);
  });

  it("keys by flow, task name and inputs, and by secret name rather than value", () => {
    const { price } = setup();
    const other = task("other", { cache: { expiresIn: 60 } }, (coin: string) => coin);
    const a = cacheKey(request("price", [{ v: "DOGE" }]), price, ["DOGE"]);
    // Under the flow and task: the prefix the task's Lambda may read and write.
    expect(a).toMatch(/^f\/price\/[0-9a-f]{64}$/);
    expect(cacheKey(request("price", [{ v: "DOGE" }]), price, ["DOGE"])).toBe(a);
    expect(cacheKey(request("price", [{ v: "BTC" }]), price, ["BTC"])).not.toBe(a);
    expect(cacheKey(request("other", [{ v: "DOGE" }]), other, ["DOGE"])?.split("/")[2]).not.toBe(a?.split("/")[2]);
    const uncached = task("plain", (x: string) => x);
    expect(cacheKey(request("uncached", [{ v: "DOGE" }]), uncached, ["DOGE"])).toBeUndefined();
  });

  it("hits the cache after a secret rotates, since the key holds the secret's name", async () => {
    let calls = 0;
    const post = task(
      "post",
      { cache: { expiresIn: 60 } },
      (_webhook: string, text: string) => `${text}:${++calls}`,
    );
    const values = { hook: "first-value" };
    const common = {
      tasks: { post },
      results: memoryResults(),
      history: memoryHistory(),
      logger: quietLogger(),
    };
    await createTaskHandler({ ...common, secrets: memorySecrets(values) })(
      request("post", [{ secret: "hook" }, { v: "hi" }]),
    );
    values.hook = "rotated-value";
    const out = await createTaskHandler({ ...common, secrets: memorySecrets(values) })(
      request("post", [{ secret: "hook" }, { v: "hi" }]),
    );
    expect(out).toStrictEqual({ v: "hi:1" });
  });

  it("runs the task once for 10 concurrent calls with the same key; the others read its entry", async () => {
    let calls = 0;
    const slow = task("slow", { cache: { expiresIn: 60 } }, async (coin: string) => {
      calls++;
      await new Promise((r) => setTimeout(r, 30));
      return `${coin}:${calls}`;
    });
    const history = memoryHistory();
    const common = { tasks: { slow }, results: memoryResults(), history, secrets: memorySecrets({}), logger: quietLogger() };
    // Ten handlers, as ten local runs in one process each build their own.
    const outs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createTaskHandler(common)(request("slow", [{ v: "BTC" }], { run: `r${i}` }))),
    );
    expect(calls).toBe(1);
    expect(outs).toStrictEqual(Array.from({ length: 10 }, () => ({ v: "BTC:1" })));
    const cached = history.writes.filter((w) => w.status === "SUCCEEDED").map((w) => w.cached);
    expect(cached.filter((c) => c === false)).toHaveLength(1);
    expect(cached.filter((c) => c === true)).toHaveLength(9);
  });

  it("expires an entry stored far in the future (a skewed clock) but trusts a small skew", async () => {
    const { handle, now, calls } = setup();
    const results = memoryResults();
    const skewed = createTaskHandler({
      tasks: { price: task("price", { cache: { expiresIn: "1 minute" } }, (coin: string) => `${coin}:skewed`) },
      results,
      history: memoryHistory(),
      secrets: memorySecrets({}),
      clock: () => now.t + 86_400_000,
      logger: quietLogger(),
    });
    await skewed(request("price", [{ v: "DOGE" }]));
    const run = createTaskHandler({
      tasks: { price: task("price", { cache: { expiresIn: "1 minute" } }, (coin: string) => `${coin}:fresh`) },
      results,
      history: memoryHistory(),
      secrets: memorySecrets({}),
      clock: () => now.t,
      logger: quietLogger(),
    });
    expect(await run(request("price", [{ v: "DOGE" }], { run: "r2" }))).toStrictEqual({ v: "DOGE:fresh" });
    // An entry a second "ahead" of the reader is ordinary skew: it is used.
    expect(calls()).toBe(0);
    expect(await handle(request("price", [{ v: "BTC" }]))).toStrictEqual({ v: "BTC:1" });
    now.t -= 1000;
    expect(await handle(request("price", [{ v: "BTC" }], { run: "r3" }))).toStrictEqual({ v: "BTC:1" });
  });

  it("refuses a key function that does not return a string, without retries", async () => {
    const byObject = task(
      "by-object",
      { cache: { key: (q: { coin: string }) => ({ coin: q.coin }) as unknown as string, expiresIn: 60 } },
      (q: { coin: string }) => q.coin,
    );
    const handle = createTaskHandler({
      tasks: { "by-object": byObject },
      results: memoryResults(),
      history: memoryHistory(),
      secrets: memorySecrets({}),
      logger: quietLogger(),
    });
    const error = await handle(request("by-object", [{ v: { coin: "BTC" } }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe(
      "the `cache.key` function of task `by-object` returned an object, not a string; return a string that identifies the call, e.g. `(coin) => coin` or `(q) => JSON.stringify(q)`",
    );
  });
});
