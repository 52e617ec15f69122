import { describe, expect, it } from "vitest";
import { FlowDefinitionError, flow, task, UsageError } from "../../sdk/index.ts";
import { problems } from "./support/problems.ts";

describe("task", () => {
  it("accepts the three forms and keeps the function as .fn", () => {
    function fetchPrice(coin: string) {
      return coin.length;
    }
    const a = task(fetchPrice);
    const b = task("price", fetchPrice);
    const c = task("price-retry", { retries: 2 }, fetchPrice);
    expect([a.taskName, b.taskName, c.taskName]).toEqual(["fetchPrice", "price", "price-retry"]);
    expect(a.fn("DOGE")).toBe(4);
    expect(c.options.retries).toBe(2);
  });

  it("fills every option's default in one place", () => {
    const t = task("t", () => 1);
    expect(t.options).toStrictEqual({
      retries: 0,
      retryDelaySeconds: 1,
      backoff: 1,
      maxDelaySeconds: undefined,
      jitter: false,
      retryOn: undefined,
      timeoutSeconds: 300,
      cache: undefined,
      memory: 256,
      tags: {},
      maxConcurrency: 40,
      large: false,
    });
  });

  it("converts durations and keeps every option", () => {
    const key = (x: number) => String(x);
    const t = task(
      "t",
      {
        retries: 3,
        retryDelay: "1 minute",
        backoff: 2,
        maxDelay: "10m",
        jitter: true,
        retryOn: ["HttpError"],
        timeout: "30 seconds",
        cache: { key, expiresIn: "1 day" },
        memory: 1024,
        tags: { team: "data" },
        maxConcurrency: 5,
        large: true,
      },
      (x: number) => x,
    );
    expect(t.options).toStrictEqual({
      retries: 3,
      retryDelaySeconds: 60,
      backoff: 2,
      maxDelaySeconds: 600,
      jitter: true,
      retryOn: ["HttpError"],
      timeoutSeconds: 30,
      cache: { key, expiresInSeconds: 86400 },
      memory: 1024,
      tags: { team: "data" },
      maxConcurrency: 5,
      large: true,
    });
  });

  it("with() returns a copy with options changed", () => {
    const t = task("t", { retries: 1 }, () => 1);
    const u = t.with({ timeout: 5 });
    expect(u.options.retries).toBe(1);
    expect(u.options.timeoutSeconds).toBe(5);
    expect(t.options.timeoutSeconds).toBe(300);
  });

  it.each([
    [{ retries: -1 }, /`retries` must be an integer >= 0/],
    [{ retries: 1.5 }, /`retries` must be an integer/],
    [{ backoff: 0.5 }, /`backoff` must be a number >= 1/],
    [{ timeout: "soon" }, /timeout` `soon` is not a duration/],
    [{ memory: 64.5 }, /`memory` must be an integer >= 1/],
  ])("rejects bad option %j", (options, message) => {
    expect(() => task("t", options as never, () => 1)).toThrow(message);
    expect(() => task("t", options as never, () => 1)).toThrow(FlowDefinitionError);
  });

  it("reports every malformed option of a task at once", () => {
    const bad = { retries: -1, backoff: 0.5, timeout: "soon" } as never;
    expect(problems(() => task("t", bad, () => 1))).toStrictEqual([
      "task `t` option `backoff` must be a number >= 1, got 0.5",
      "task `t` option `retries` must be an integer >= 0, got -1",
      expect.stringMatching(/^task `t` option `timeout` `soon` is not a duration/),
    ]);
  });

  it("rejects names that cannot name a Lambda or a state", () => {
    expect(() => task("has space", () => 1)).toThrow(/task name `has space` is not allowed/);
    expect(() => task(() => 1)).toThrow(/anonymous function; name it/);
  });

  it("throws outside a flow body, saying to use .fn", () => {
    const getData = task("get-data", (coin: string) => coin);
    expect(() => getData("DOGE")).toThrow(UsageError);
    expect(() => getData("DOGE")).toThrow(
      "task `get-data` was called outside a flow body; call `getData.fn(...)` to run it directly",
    );
    expect(() => getData.map(["DOGE"])).toThrow(/outside a flow body/);
  });

  it("suffixes state names when a task is called twice", () => {
    const a = task("a", () => 1);
    const f = flow("twice", () => {
      a();
      a();
    });
    expect(f.graph().calls.map((c) => c.state)).toEqual(["a", "a-2"]);
  });
});
