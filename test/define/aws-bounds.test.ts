/**
 * Definition-time checks of every AWS bound: what Lambda, Step Functions or EventBridge would
 * reject fails when the flow is defined (or before a run starts), with the fix.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { main } from "../../sdk/cli/main.ts";
import { runLocal } from "../../sdk/local/index.ts";
import {
  compile,
  flow,
  ParamsError,
  type TaskOptions,
  task,
} from "../../sdk/index.ts";
import { problems } from "./support/problems.ts";
import { mockedClient } from "../client/support/mocks.ts";
import { tempDir } from "../support/temp-dir.ts";

const noop = task("noop", (x: number) => x);
const pair = task("pair", (a: number, b: number) => a + b);


/** The problems of a one-task flow whose task has `options`. */
const optionProblems = (options: TaskOptions) => {
  const t = task("t", options, () => 1);
  return problems(() => flow("bounds", () => t()).graph());
};

describe("task option bounds", () => {
  it.each<[TaskOptions, RegExp]>([
    [{ timeout: "15 minutes" }, /`timeout` is 900 s; .* Lambda timeout would be 910 s, over Lambda's 900 s limit; use at most 890 s/],
    [{ memory: 20000 }, /`memory` is 20000 MB; Lambda accepts 128 to 10,240 MB/],
    [{ memory: 64 }, /`memory` is 64 MB; Lambda accepts 128 to 10,240 MB/],
    [{ retries: 1, retryOn: ["States.ALL", "X"] }, /lists `States.ALL` with other names; AWS requires `States.ALL` alone/],
    [{ retries: 1, retryOn: [] }, /`retryOn` is empty/],
    [{ retries: 1, retryOn: ["States.Oops"] }, /`States.Oops`, which is not a Step Functions error/],
    [{ retries: 1, retryOn: ["States.DataLimitExceeded"] }, /AWS never retries \(a terminal error\)/],
    [{ retries: 1, retryOn: [" HttpError"] }, /error name ` HttpError`; an error name is a non-empty string/],
    [{ retries: 1, retryOn: ["NonRetriableError"] }, /stepflow never retries/],
    [{ retries: 100_000_000 }, /`retries` is 100000000; AWS accepts 0 to 99,999,999/],
  ])("rejects %j when a flow is built, naming the fix", (options, message) => {
    const found = optionProblems(options);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
    expect(found[0]).toMatch(/\(defined at .*aws-bounds\.test\.ts:\d+\)$/);
  });

  it.each<TaskOptions>([
    { timeout: 890, memory: 10_240 },
    { memory: 128, retries: 2, retryOn: ["States.ALL"] },
    { retries: 2, retryOn: ["States.Timeout", "States.TaskFailed", "HttpError", "Lambda.Unknown"] },
  ])("accepts %j", (options) => {
    const t = task("t", options, () => 1);
    expect(() => compile(flow("fine", () => t()))).not.toThrow();
  });

  it("keeps the Lambda timeout within 900 s and gives the Task state room beyond it", () => {
    const t = task("longest", { timeout: 890 }, () => 1);
    const compiled = compile(flow("longest", () => t()));
    expect(compiled.tasks[0].lambdaTimeoutSeconds).toBe(900);
    // 10 s to store the result inside the Lambda, then 20 s for the invoke and a cold start: the
    // state never times out while its Lambda still runs.
    expect(compiled.definition.States.longest).toMatchObject({ TimeoutSeconds: 920 });
  });

  it("collects option problems with the flow's other problems, and reports `.with` copies", () => {
    const big = task("big", { memory: 20000 }, () => 1);
    const slow = big.with({ memory: 256, timeout: 1000 });
    const found = problems(() =>
      flow("many", () => {
        big();
        slow();
        pair.map([1, 2], [1]);
      }).graph(),
    );
    expect(found).toHaveLength(3);
    expect(found.filter((p) => /`memory` is 20000 MB/.test(p))).toHaveLength(1);
    expect(found.filter((p) => /`timeout` is 1000 s/.test(p))).toHaveLength(1);
    expect(found.filter((p) => /iterates lists of different lengths/.test(p))).toHaveLength(1);
  });

  it("lets a task with bad bounds still run as a plain function (unit tests)", () => {
    const t = task("heavy", { memory: 20000 }, (x: number) => x + 1);
    expect(t.fn(1)).toBe(2);
  });
});

describe("flow bounds", () => {
  const child = flow("child", () => noop(1));

  it("rejects an Express flow that calls a subflow (no `.sync` in Express)", () => {
    const found = problems(() => flow("express-parent", { type: "EXPRESS" }, () => child()).graph());
    expect(found).toStrictEqual([
      expect.stringMatching(
        /Express workflow and calls subflow `child` .* cannot wait for a child execution \(`startExecution.sync`\); make it `type: "STANDARD"`/,
      ),
    ]);
  });

  it("rejects an Express flow that cannot finish within 5 minutes or runs a Distributed Map", () => {
    const slow = task("slow", { timeout: "6 minutes" }, () => 1);
    const wide = task("wide", { large: true }, (x: number) => x);
    const found = problems(() =>
      flow("express-limits", { type: "EXPRESS", timeout: "10 minutes" }, () => {
        slow();
        wide.map([1, 2, 3]);
      }).graph(),
    );
    expect(found).toHaveLength(3);
    expect(found[0]).toMatch(/`timeout` is 600 s; a EXPRESS workflow accepts 1 to 300 s/);
    expect(found[1]).toMatch(/task `slow` .* has `timeout` 360 s; lower the task's `timeout` to 300 s/);
    expect(found[2]).toMatch(/`wide.map\(...\)` .* is `large` \(a Distributed Map\), which Express workflows cannot run/);
  });

  it("accepts an Express flow within its limits and a Standard flow with a subflow", () => {
    expect(() => compile(flow("express-ok", { type: "EXPRESS", timeout: "5 minutes" }, () => noop(1)))).not.toThrow();
    expect(() => compile(flow("standard-parent", { timeout: "2 days" }, () => child()))).not.toThrow();
  });

  it("rejects a Standard flow timeout over a year", () => {
    const found = problems(() => flow("forever", { timeout: "400 days" }, () => noop(1)).graph());
    expect(found).toStrictEqual([expect.stringMatching(/`timeout` is 34560000 s; a STANDARD workflow accepts 1 to 31,536,000 s/)]);
  });
});

describe("params over 256 KB", () => {
  const echo = task("echo", (s: string) => s.length);
  const blobFlow = flow("blob", { params: z.object({ blob: z.string() }) }, ({ blob }) => echo(blob));
  const blob = "x".repeat(300 * 1024);
  const tooBig = /the parameters are 307,211 bytes of JSON, over the 262,144 bytes Step Functions accepts as an execution input/;

  it("are rejected by runLocal before the run starts", async () => {
    const error = await runLocal(blobFlow, { blob }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParamsError);
    expect((error as Error).message).toMatch(tooBig);
  });

  it("are rejected by StepflowClient.start, by flow or by name, before calling AWS", async () => {
    const env = mockedClient();
    try {
      const byFlow = await env.client.start(blobFlow, { blob }).catch((e: unknown) => e);
      expect((byFlow as Error).message).toMatch(tooBig);
      const byName = await env.client.start("blob", { blob }).catch((e: unknown) => e);
      expect(byName).toBeInstanceOf(ParamsError);
      expect((byName as Error).message).toMatch(tooBig);
      expect(env.sfn.calls()).toHaveLength(0);
    } finally {
      env.sfn.restore();
    }
  });

  it("are rejected by `stepflow run` with exit code 2", async () => {
    let stderr = "";
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } };
    const argv = ["node", "stepflow", "run", "test/fixtures/local-flows.ts", "--flow", "retrying"];
    const code = await main([...argv, "--param", `key=${blob}`], io as never);
    expect(code).toBe(2);
    expect(stderr).toMatch(/the parameters are [\d,]+ bytes of JSON, over the 262,144 bytes/);
  });

  it("lets params within their 64 KB through", () => {
    expect(blobFlow.parse({ blob: "x".repeat(60 * 1024) })).toStrictEqual({ blob: "x".repeat(60 * 1024) });
  });
});

describe("params beside results in the 256 KB of state data", () => {
  const count = task("count", (n: number) => Array.from({ length: n }, (_, i) => i));
  /** 140 B: within each row's share of the results' budget (160 KB / 1,000), so rows stay inline. */
  const pad = task("pad", (i: number) => `${i}:`.padEnd(140, "x"));
  const size = task("size", (blob: string, rows: string[]) => blob.length + rows.length);
  /** Params stay in the state data all run long; the Map's 1,000 rows fill the results' 160 KB. */
  const both = flow("params-and-rows", { params: z.object({ blob: z.string(), n: z.number() }) }, ({ blob, n }) =>
    size(blob, pad.map(count(n))),
  );

  it("rejects params over 64 KB before the run starts (with results they could cross 256 KB), naming the budget and the fix", async () => {
    const error = await runLocal(both, { blob: "x".repeat(100 * 1024), n: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParamsError);
    expect((error as Error).message).toMatch(
      /the parameters are 102,4\d\d bytes of JSON, over the 65,536 bytes stepflow leaves parameters: .* up to 160 KB of results.*`States.DataLimitExceeded`.*pass large data by reference/,
    );
  });

  it("runs 63 KB of params beside 1,000 inline Map rows of 140 B within 256 KB", async () => {
    const blob = "x".repeat(63 * 1024);
    const run = await runLocal(both, { blob, n: 1000 }, { dir: tempDir("stepflow-params-") });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBe(blob.length + 1000);
    // Both were big at once: the params and more than 140 KB of rows, together under the limit.
    expect(run.stats.maxStateBytes).toBeGreaterThan(63 * 1024 + 140_000);
    expect(run.stats.maxStateBytes).toBeLessThanOrEqual(262_144);
  });
});
