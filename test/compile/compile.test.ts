import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, FlowDefinitionError, flow, secret, task, unmapped, when } from "../../sdk/index.ts";
import { everything } from "../fixtures/every-feature.ts";
import { assertValidAsl, standInRun } from "../support/stand-in-run.ts";
import { env, LAMBDA_RETRY, lambdaTask, next, param } from "./render.ts";

const getData = task(
  "get-data",
  { retries: 3, retryDelay: "1 minute", timeout: "30 seconds" },
  (coin: string) => (coin === "DOGE" ? [10, 12, 4] : [100, 101, 102]),
);
const detectDip = task(
  "detect-dip",
  (prices: number[], threshold: number) => Math.max(...prices) - prices.at(-1)! > threshold,
);
const post = task("post-to-slack", (webhook: string, text: string) => `posted ${text} with ${webhook}`);

const toTheMoon = flow(
  "to-the-moon",
  { params: z.object({ coin: z.string().default("DOGE"), threshold: z.number().default(5) }) },
  ({ coin, threshold }) => {
    const data = getData(coin);
    const isDip = detectDip(data, threshold);
    when(isDip, () => post(secret("slack-webhook"), "There has been a dip"));
  },
);

describe("compile", () => {
  it("compiles the crypto dip flow to readable states with no glue", () => {
    const compiled = compile(toTheMoon);
    const flowName = "to-the-moon";
    expect(compiled.definition).toStrictEqual({
      Comment: "stepflow flow to-the-moon",
      StartAt: "get-data",
      States: {
        "get-data": lambdaTask(
          {
            flow: flowName,
            task: "get-data",
            args: [param("coin")],
            timeout: 60,
            retry: [
              LAMBDA_RETRY,
              { ErrorEquals: ["NonRetriableError", "ReferenceError", "SyntaxError", "TypeError"], MaxAttempts: 0 },
              { ErrorEquals: ["States.ALL"], IntervalSeconds: 60, MaxAttempts: 3, BackoffRate: 1 },
            ],
          },
          next("detect-dip"),
        ),
        "detect-dip": lambdaTask(
          {
            flow: flowName,
            task: "detect-dip",
            args: [env("$.results.get_data"), param("threshold")],
            out: ["boolean"],
            replace: true,
          },
          next("if detect-dip"),
        ),
        "if detect-dip": {
          Type: "Choice",
          Choices: [{ Variable: "$.results.detect_dip.v", BooleanEquals: true, Next: "post-to-slack" }],
          Default: "done",
        },
        "post-to-slack": lambdaTask(
          {
            flow: flowName,
            task: "post-to-slack",
            args: [{ secret: "slack-webhook" }, { v: "There has been a dip" }],
            replace: true,
          },
          next({ end: true }),
        ),
        done: { Type: "Succeed" },
      },
    });
    expect(compiled.stateMachineName).toBe("stepflow-to-the-moon");
    expect(
      compiled.tasks.map((t) => [t.name, t.placeholder, t.states, t.secrets, t.lambdaTimeoutSeconds]),
    ).toEqual([
      ["get-data", "Task_get_data", ["get-data"], [], 40],
      ["detect-dip", "Task_detect_dip", ["detect-dip"], [], 310],
      ["post-to-slack", "Task_post_to_slack", ["post-to-slack"], ["slack-webhook"], 310],
    ]);
    expect(compiled.output).toEqual({ kind: "none" });
    assertValidAsl(compiled.definition);
  });

  it("is deterministic", () => {
    expect(JSON.stringify(compile(everything))).toBe(JSON.stringify(compile(everything)));
  });

  it.each([
    [{ DOGE: true }, "DOGE", ["get-data", "detect-dip", "post-to-slack"]],
    [{ BTC: false }, "BTC", ["get-data", "detect-dip"]],
  ])("runs the Choice branch only when the condition holds (%j)", async (_, coin, calls) => {
    const run = await standInRun(toTheMoon, { coin });
    expect(run.calls).toEqual(calls);
    expect(run.entered.Choice).toBe(1);
  });

  it("maps retry options to Retry and the timeout to TimeoutSeconds", () => {
    const t = task(
      "t",
      { retries: 2, retryDelay: 5, backoff: 3, maxDelay: 60, jitter: true, retryOn: ["A", "B"], timeout: 7 },
      () => 1,
    );
    const state = compile(flow("retry-options", () => t())).definition.States.t;
    expect(state).toMatchObject({
      TimeoutSeconds: 37,
      Retry: [
        LAMBDA_RETRY,
        { ErrorEquals: ["NonRetriableError", "ReferenceError", "SyntaxError", "TypeError"], MaxAttempts: 0 },
        {
          ErrorEquals: ["A", "B"],
          IntervalSeconds: 5,
          MaxAttempts: 2,
          BackoffRate: 3,
          MaxDelaySeconds: 60,
          JitterStrategy: "FULL",
        },
      ],
    });
  });

  it("carries memory to the task's Lambda and tags to the state's Comment", () => {
    const t = task("tagged", { memory: 1024, tags: { team: "data" } }, () => 1);
    const compiled = compile(flow("tags", () => t()));
    expect(compiled.tasks[0].memory).toBe(1024);
    expect(compiled.definition.States.tagged).toMatchObject({ Comment: 'tags: {"team":"data"}' });
  });

  it("wires lockstep lists with ArrayGetItem and checks their lengths in the handler", async () => {
    const pair = task("pair", (a: string, b: number) => `${a}${b}`);
    const f = flow(
      "lockstep",
      { params: z.object({ names: z.array(z.string()), counts: z.array(z.number()) }) },
      ({ names, counts }) => pair.map(names, counts),
    );
    const map = compile(f).definition.States["map pair"];
    expect(map).toMatchObject({
      ItemsPath: "$.names",
      ItemSelector: {
        item: {
          a0: { "v.$": "$$.Map.Item.Value" },
          a1: { "v.$": "States.ArrayGetItem($.counts, $$.Map.Item.Index)" },
        },
        "lengths.$": "States.Array(States.ArrayLength($.names), States.ArrayLength($.counts))",
      },
    });
    expect((await standInRun(f, { names: ["a", "b"], counts: [1, 2] })).result).toEqual(["a1", "b2"]);
    await expect(standInRun(f, { names: ["a", "b"], counts: [1] })).rejects.toThrow(/lengths differ: 2,1/);
  });

  it("compiles a large map to a Distributed Map reading items from S3 and writing results to S3", () => {
    const compiled = compile(everything);
    const branch = (
      compiled.definition.States as Record<
        string,
        { Branches: { States: Record<string, { Branches: { States: Record<string, unknown> }[] }> }[] }
      >
    )[compiled.definition.StartAt].Branches[1].States["parallel list-keys + monthly-etl"].Branches[0].States;
    expect(branch["map process-key"]).toMatchObject({
      ItemReader: {
        Resource: "arn:aws:states:::s3:getObject",
        Parameters: { Bucket: "${ResultsBucket}", "Key.$": "$.results.list_keys.s3" },
      },
      ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" } },
      ResultWriter: { Resource: "arn:aws:states:::s3:putObject" },
      // `list-keys` is read by this Map only: the Map's result replaces it in state data.
      ResultSelector: { map_process_key: { "manifest.$": "$.ResultWriterDetails" } },
      ResultPath: "$.results",
      MaxConcurrency: 100,
    });
    expect(branch["map process-key"]).not.toHaveProperty("ItemsPath");
    expect((branch["list-keys"] as { Parameters: { out: string[] } }).Parameters.out).toEqual(["stored"]);
    expect(compiled.distributedMaps).toEqual(["map process-key"]);
    expect(compiled.usesResultsBucket).toBe(true);
    expect(compiled.subflows).toEqual([{ flow: "monthly-etl", placeholder: "Flow_monthly_etl" }]);
  });

  it("runs every feature end to end on the local engine", async () => {
    const run = await standInRun(everything, { coins: ["DOGE", "BTC", "ETHEREUM"], threshold: 35 });
    expect(run.result).toBe("ABC loaded 2026-01");
    expect(run.calls).toContain("alert");
    expect(run.calls).not.toContain("note");
    expect(run.calls.filter((c) => c.startsWith("fetch-price["))).toHaveLength(3);
    expect(run.calls.filter((c) => c.startsWith("score["))).toHaveLength(3);
    const quiet = await standInRun(everything, { coins: ["A"], threshold: 1000 });
    expect(quiet.calls).toContain("note");
  });

  it("puts constant lists in one Pass state and runs them", async () => {
    const double = task("double", (x: number) => x * 2);
    const f = flow("consts", () => double.map([1, 2, 3]));
    const def = compile(f).definition;
    expect(def.StartAt).toBe("constants");
    expect(def.States.constants).toStrictEqual({
      Type: "Pass",
      Result: { map_double_a0: [1, 2, 3] },
      ResultPath: "$.constants",
      Next: "map double",
    });
    expect((await standInRun(f)).result).toEqual([2, 4, 6]);
  });

  it("keeps only values later states read when merging Parallel branches", () => {
    const a = task("a", () => 1);
    const b = task("b", (x: number) => x + 1);
    const c = task("c", (x: number, y: number) => x + y);
    const f = flow("merge", () => {
      const x = b(a());
      const y = b(a());
      return c(x, y);
    });
    const par = compile(f).definition.States[compile(f).definition.StartAt];
    expect(par).toMatchObject({
      Type: "Parallel",
      ResultSelector: { "b.$": "$[0].b", "b_2.$": "$[1].b_2" },
      ResultPath: "$.results",
    });
  });

  it("reports wiring it cannot express with the fix", () => {
    const n = task("n", () => [1]);
    const big = task("big", { large: true }, (x: number, y: number) => x + y);
    const f = flow("large-lockstep", () => big.map(n(), n()));
    expect(() => compile(f)).toThrow(FlowDefinitionError);
    expect(() => compile(f)).toThrow(
      /a large map iterates one list, so pass the others with `unmapped\(...\)`/,
    );
    const child = flow("silent", () => {
      n();
    });
    const use = task("use", (x: unknown) => x);
    const g = flow("uses-silent", () => use(child()));
    expect(() => compile(g)).toThrow(/subflow `silent` returns nothing/);
  });

  it("reports every wiring problem of a flow at once, each with its kind and state", () => {
    const n = task("n", () => [1]);
    const big = task("big", { large: true }, (x: number, y: number) => x + y);
    const use = task("use", (x: unknown) => x);
    const silent = flow("silent-too", () => {
      n();
    });
    const child = flow("keyed", { params: z.object({ key: z.string() }) }, ({ key }) => use(key));
    const f = flow("three-problems", () => {
      big.map(n(), n());
      child({ key: secret("api-key") as never });
      use(silent());
    });
    const error = (() => {
      try {
        compile(f);
      } catch (e) {
        return e;
      }
    })() as FlowDefinitionError;
    expect(error).toBeInstanceOf(FlowDefinitionError);
    expect(error.details).toStrictEqual([
      { kind: "map-list", state: "map big", message: expect.stringMatching(/a large map iterates one list/) },
      { kind: "subflow-argument", state: "keyed", message: expect.stringMatching(/parameter `key` of subflow `keyed` is a secret/) },
      { kind: "subflow-result", state: "use", message: expect.stringMatching(/subflow `silent-too` returns nothing/) },
    ]);
    expect(error.message).toMatch(/^flow `three-problems` \(.*\) has 3 problems:\n/);
    expect(error.problems).toHaveLength(3);
    expect(error.problems[2]).toMatch(/returns nothing.*\(state `use`\)$/);
  });
});

describe("payload contract", () => {
  it("keeps state payloads the same size whatever the size of the results", async () => {
    const make = task("make", (n: number) => "x".repeat(n));
    const split = task("split", (s: string) => [s, s, s]);
    const size = task("size", (s: string) => s.length);
    const total = task("total", (xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const f = flow("payloads", { params: z.object({ n: z.number() }) }, ({ n }) =>
      total(size.map(split(make(n)))),
    );
    const small = await standInRun(f, { n: 1_000 }, { stored: true });
    const large = await standInRun(f, { n: 1_000_000 }, { stored: true });
    expect(large.result).toBe(3_000_000);
    expect(small.result).toBe(3_000);
    // Only digits grow (the `n` param and each envelope's `bytes`), never the data: 1000x the data, < 64 B more.
    expect(large.maxPayloadBytes - small.maxPayloadBytes).toBeLessThan(64);
    expect(large.maxPayloadBytes).toBeLessThan(2_000);
  });
});

describe("subflows", () => {
  const shout = task("shout", (name: string, punct: string) => `${name.toUpperCase()}${punct}`);
  const greet = flow(
    "greet",
    { params: z.object({ name: z.string().default("world"), punct: z.string().default("!") }) },
    ({ name, punct }) => shout(name, punct),
  );

  it("passes the child's parameter defaults in the execution input", async () => {
    const parent = flow("greets", () => greet({ punct: "?" }));
    const state = compile(parent).definition.States.greet;
    expect(state).toMatchObject({
      Parameters: {
        Input: {
          "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
          punct: "?",
          name: "world",
        },
      },
    });
    expect((await standInRun(parent)).result).toBe("WORLD?");
  });

  it("rejects a call missing a parameter with no default", () => {
    const strict = flow("strict", { params: z.object({ month: z.string() }) }, ({ month }) =>
      shout(month, "."),
    );
    const parent = flow("calls-strict", () => strict({} as never));
    expect(() => compile(parent)).toThrow(
      /subflow `strict` called at .* needs parameter `month`, which has no default; pass it/,
    );
  });
});

describe("map iterations", () => {
  const join = task("join", (a: string, b: string) => a + b);

  it("keeps parameters apart from the iteration's own keys, whatever their names", async () => {
    const pick = task("pick", (xs: string[], index: number, item: string) => `${xs[index]}${item}`);
    const f = flow(
      "clashing-names",
      { params: z.object({ index: z.number(), item: z.string(), run: z.string(), outer: z.string() }) },
      ({ index, item, run, outer }) => {
        join(run, outer);
        return pick.map(
          [
            ["a", "b"],
            ["c", "d"],
          ],
          unmapped(index),
          unmapped(item),
        );
      },
    );
    const run = await standInRun(f, { index: 1, item: "!", run: "r", outer: "o" });
    expect(run.result).toEqual(["b!", "d!"]);
    const map = compile(f).definition;
    expect(JSON.stringify(map)).toContain('"params":{"index.$":"$.index","item.$":"$.item"}');
  });
});

describe("map fusion", () => {
  const price = task("price", (coin: string) => coin.length * 10);
  const label = task("label", (coin: string, p: number) => `${coin}=${p}`);

  it("runs `b.map(xs, a.map(xs))` depth-first in one Map, as Prefect writes it", async () => {
    const f = flow("prefect-lockstep", { params: z.object({ coins: z.array(z.string()) }) }, ({ coins }) =>
      label.map(coins, price.map(coins)),
    );
    expect(f.graph().groups.map((g) => g.members)).toEqual([["price", "label"]]);
    const map = compile(f).definition.States["map price"] as unknown as {
      ItemProcessor: { States: Record<string, { Parameters: { args: unknown } }> };
    };
    expect(map.ItemProcessor.States.label.Parameters.args).toEqual([
      { "env.$": "$.item.a0" },
      { "env.$": "$.results.price" },
    ]);
    expect((await standInRun(f, { coins: ["BTC", "DOGE"] })).result).toEqual(["BTC=30", "DOGE=40"]);
  });
});

describe("map iteration scheduling", () => {
  it("runs a chain's independent members in sequence inside the iteration: no Parallel per item", async () => {
    const base = task("base", (x: number) => x);
    const weekly = task("weekly", (x: number) => x * 7);
    const monthly = task("monthly", (x: number) => x * 30);
    const f = flow("no-parallel-per-item", () => {
      const b = base.map([1, 2, 3]);
      weekly.map(b);
      return monthly.map(b);
    });
    const json = JSON.stringify(compile(f).definition);
    expect(json).not.toContain('"Type":"Parallel"');
    const run = await standInRun(f);
    expect(run.result).toEqual([30, 60, 90]);
    expect(run.transitions).toBe(run.taskRuns + 2); // the constants Pass state and the Map state
  });
});
