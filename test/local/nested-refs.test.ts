import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { compile, flow, type Ref, secret, task, unmapped } from "../../sdk/index.ts";
import { runFlow } from "../../sdk/testing/index.ts";
import { problems } from "../define/support/problems.ts";

const prices = task("prices", (n: number) => Array.from({ length: n }, (_, i) => i + 0.5));
const label = task("label", () => "dip");
type Report = { prices: number[]; threshold: number; meta: { label: string; tags: [string, number] } };
const report = task("report", (r: Report) => `${r.meta.label}:${r.prices.length}:${r.threshold}:${r.meta.tags.join("/")}`);
const combine = task("combine", (xs: number[][]) => xs.map((x) => x.length));
const scaled = task("scaled", (x: number, cfg: { factor: number; by: string }) => `${x * cfg.factor}${cfg.by}`);
const peek = task("peek", (auth: { token: string; n: number }) => auth.token.length + auth.n);
const total = task("total", (xs: number[], cfg: { n: number; by: string }) => `${xs.reduce((a, b) => a + b, 0) * cfg.n}${cfg.by}`);
const params = z.object({ threshold: z.number().default(10), big: z.number().default(600) });

const reported = flow("nested-report", { params }, ({ threshold, big }) => {
  // `big` prices are over the 2 KB inline limit, so they travel as a stored reference.
  return report({ prices: prices(big), threshold, meta: { label: label(), tags: ["a", threshold] } });
});
const combined = flow("nested-combine", { params }, ({ big }) => combine([prices(3), prices(big), [1, 2]]));
const mapped = flow("nested-unmapped", { params }, ({ threshold }) =>
  scaled.map(prices(2), unmapped({ factor: threshold, by: label() })),
);
const secretive = flow("nested-secret", () => peek({ token: secret("api-token"), n: 2 }));
const child = flow(
  "nested-child",
  { params: z.object({ cfg: z.object({ n: z.number(), by: z.string() }), xs: z.array(z.number()) }) },
  ({ cfg, xs }) => total(xs, cfg),
);
const parent = flow("nested-parent", { params }, ({ threshold }) => child({ cfg: { n: threshold, by: label() }, xs: [threshold, 3] }));

describe("refs nested in objects and arrays", () => {
  it("resolves each ref at run time, inline and stored values alike", async () => {
    const run = await runFlow(reported, {});
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBe("dip:600:10:a/10");
    expect((await runFlow(combined, {})).result).toStrictEqual([3, 600, 2]);
    expect((await runFlow(mapped, { threshold: 2 })).result).toStrictEqual(["1dip", "3dip"]);
  });

  it("resolves a nested secret inside the task only", async () => {
    const run = await runFlow(secretive, {}, { secrets: { "api-token": "s3cr3t-value" } });
    expect(run.result).toBe(14);
    expect(JSON.stringify(compile(secretive).definition)).not.toContain("s3cr3t");
  });

  it("compiles the tree into the Task state's Parameters: no extra state", () => {
    const { definition } = compile(reported);
    expect(Object.values(definition.States).map((s) => s.Type)).toStrictEqual(["Parallel", "Task"]);
    const state = definition.States.report as unknown as { Parameters: { args: unknown[] } };
    expect(state.Parameters.args).toStrictEqual([
      {
        obj: {
          prices: { "env.$": "$.results.prices" },
          threshold: { "v.$": "$.threshold" },
          meta: { obj: { label: { "env.$": "$.results.label" }, tags: { arr: [{ v: "a" }, { "v.$": "$.threshold" }] } } },
        },
      },
    ]);
  });

  it("passes objects and arrays with refs to a subflow as raw values (payload template, States.Array)", async () => {
    const state = compile(parent).definition.States["nested-child"] as unknown as { Parameters: { Input: unknown } };
    expect(state.Parameters.Input).toStrictEqual({
      "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
      cfg: { "n.$": "$.threshold", "by.$": "$.results.label.v" },
      "xs.$": "States.Array($.threshold, 3)",
    });
    expect((await runFlow(parent, { threshold: 4 })).result).toBe("28dip");
  });

  it("reports refs it cannot wire: a mapped list literal, another body's ref", () => {
    const outside = label;
    let foreign: Ref<string> | undefined;
    flow("other", () => {
      foreign = outside();
    }).graph();
    const f = flow("bad-nesting", () => {
      const a = prices(1);
      combine.map([a, a] as never);
      report({ prices: [1], threshold: 1, meta: { label: foreign!, tags: ["x", 1] } });
    });
    const list = problems(() => f.graph());
    expect(list).toContainEqual(expect.stringMatching(/argument 1 of `combine` of a `.map` call is a list written in the flow body that holds refs; return the list from a task/));
    expect(list).toContainEqual(expect.stringMatching(/argument 1 of `report` at `meta` at `label` uses a value from another flow's body/));
  });

  it("types nested refs: the field's type must match", () => {
    flow("typed", () => {
      const n = prices(1);
      // @ts-expect-error a Ref<number[]> where a string is expected
      report({ prices: n, threshold: 1, meta: { label: n, tags: ["a", 1] } });
      expectTypeOf(combine([n, n])).toEqualTypeOf<Ref<number[]>>();
    });
  });
});
