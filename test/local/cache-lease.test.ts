/**
 * The cache lease on one machine: the lease files behave as the DynamoDB items do (one takeover
 * wins, a stale lease is taken over). cache-race.test.ts (e2e tier) races two `stepflow run`
 * processes on one cache key.
 */
import { describe, expect, it } from "vitest";
import { createTaskHandler, localCacheLease, localStores } from "../../functions/index.ts";
import { cacheKey } from "../../functions/private/cache.ts";
import { task } from "../../sdk/define/task.ts";
import { quietLogger } from "../functions/support/memory-stores.ts";
import { request } from "../functions/support/request.ts";
import { tempDir } from "../support/temp-dir.ts";

describe("local lease files", () => {
  it("let exactly one of many concurrent takeovers of one stale lease win, and only the holder release", async () => {
    const lease = localCacheLease({ dir: tempDir("stepflow-lease-") });
    expect(await lease.create("f/t/k", "dead")).toBe(true);
    expect(await lease.create("f/t/k", "other")).toBe(false);
    const seen = { token: "dead", beat: 0 };
    const wins = await Promise.all(
      Array.from({ length: 8 }, (_, i) => lease.replace("f/t/k", seen, { token: `taker-${i}`, beat: 0 })),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = { token: `taker-${wins.indexOf(true)}`, beat: 0 };
    expect(await lease.read("f/t/k")).toStrictEqual(winner);
    await lease.release("f/t/k", "dead");
    expect(await lease.read("f/t/k")).toStrictEqual(winner);
    await lease.release("f/t/k", winner.token);
    expect(await lease.read("f/t/k")).toBeUndefined();
    expect(await lease.create("f/t/k", "next")).toBe(true);
  });

  it("take over a lease whose holder died, and release it after the task", async () => {
    const dir = tempDir("stepflow-lease-");
    let calls = 0;
    const quote = task("quote", { cache: { expiresIn: 600 }, timeout: 20 }, (coin: string) => `${coin}:${++calls}`);
    const cacheLease = localCacheLease({ dir });
    const key = cacheKey(request("quote", [{ v: "ETH" }]), quote, ["ETH"]) as string;
    expect(await cacheLease.create(key, "dead-holder")).toBe(true);
    const handle = createTaskHandler({
      ...localStores({ dir, env: {} }),
      tasks: { quote },
      cacheLease,
      cacheLeaseMs: 300,
      logger: quietLogger(),
    });
    expect(await handle(request("quote", [{ v: "ETH" }]))).toStrictEqual({ v: "ETH:1" });
    expect(calls).toBe(1);
    expect(await cacheLease.read(key)).toBeUndefined();
  });
});
