import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { compile, flow, type Ref, task, when } from "../../sdk/index.ts";
import { runFlow } from "../../sdk/testing/index.ts";
import { problems } from "../define/support/problems.ts";

const isBig = task("is-big", (n: number) => n > 10);
const tag = task("tag", (s: string) => `#${s}`);
const count = task("count", (n: number) => n);
const shout = task("shout", (s: string | number | undefined) => `${String(s)}!`);

const labelled = flow("labelled", { params: z.object({ n: z.number() }) }, ({ n }) => {
  const big = isBig(n);
  const label = when(big, () => tag("big"), () => tag("small"));
  expectTypeOf(label).toEqualTypeOf<Ref<string>>();
  return shout(label);
});
const optional = flow("optional", { params: z.object({ n: z.number() }) }, ({ n }) => {
  const label = when(isBig(n), () => count(n));
  expectTypeOf(label).toEqualTypeOf<Ref<number | undefined>>();
  return shout(label);
});
const optionalResult = flow("optional-result", { params: z.object({ n: z.number() }) }, ({ n }) => when(isBig(n), () => count(n)));
const unread = flow("unread", { params: z.object({ n: z.number() }) }, ({ n }) => {
  when(isBig(n), () => count(n));
});
const types = (f: Parameters<typeof compile>[0]) => Object.values(compile(f).definition.States).map((s) => s.Type).sort();
const returned = flow("returned", { params: z.object({ n: z.number() }) }, ({ n }) =>
  when(isBig(n), () => {
    const t = tag("big");
    shout(t); // read inside the branch too
    return t;
  }, () => tag("small")),
);

describe("when returns the value of the branch that ran", () => {
  it.each([
    [20, "#big!"],
    [3, "#small!"],
  ])("n=%i gives %s, with no state beyond the Choice", async (n, expected) => {
    expect((await runFlow(labelled, { n })).result).toBe(expected);
    expect(types(labelled).filter((t) => t === "Pass")).toHaveLength(0);
    expect(types(labelled).filter((t) => t === "Task")).toHaveLength(4);
  });

  it("is undefined (no value) in the next task when the branch that ran gives nothing", async () => {
    expect((await runFlow(optional, { n: 20 })).result).toBe("20!");
    expect((await runFlow(optional, { n: 1 })).result).toBe("undefined!");
    // JSONPath cannot read a missing key: the condition's state writes `{}` there beside its own
    // result, and the branch's task overwrites it. No state beyond the Choice.
    expect(types(optional)).toStrictEqual(["Choice", "Task", "Task", "Task"]);
    expect(compile(optional).definition.States["is-big"]).toMatchObject({ ResultSelector: { "is_big.$": "$", when_1: {} }, ResultPath: "$.results" });
  });

  it("as the flow's result, is undefined when the branch gives nothing, with no state beyond the Choice", async () => {
    expect(types(optionalResult)).toStrictEqual(types(unread));
    expect(types(optionalResult)).toStrictEqual(["Choice", "Succeed", "Task", "Task"]);
    const big = await runFlow(optionalResult, { n: 20 });
    expect([big.status, big.result]).toStrictEqual(["SUCCEEDED", 20]);
    const small = await runFlow(optionalResult, { n: 1 });
    expect(small.status).toBe("SUCCEEDED");
    expect("result" in small && small.result === undefined).toBe(true);
    // The execution's output is `{}`: the Default branch ends with `OutputPath: null`.
    expect(Object.values(compile(optionalResult).definition.States).find((s) => s.Type === "Succeed")).toStrictEqual({ Type: "Succeed", OutputPath: null });
  });

  it("names a condition, subflow parameter or mapped list reading a value that can be missing", () => {
    const f = flow("raw-read", { params: z.object({ n: z.number() }) }, ({ n }) => {
      // @ts-expect-error a value that can be missing is not a boolean condition
      when(when(isBig(n), () => isBig(n)), () => count(n));
    });
    expect(problems(() => f.graph())).toStrictEqual([
      expect.stringMatching(/^the condition of `when` at .* uses the value of `when` at .*, which has no value when its `else` branch runs \(it returns nothing, or is missing\); return a task result from that branch too, or pass the value through a task first/),
    ]);
  });

  it("can be the flow's result, and read inside its branch", async () => {
    expect((await runFlow(returned, { n: 20 })).result).toBe("#big");
    expect((await runFlow(returned, { n: 2 })).result).toBe("#small");
  });

  it("names a branch value that is not a task result computed in the branch", () => {
    const f = flow("bad-value", { params: z.object({ n: z.number() }) }, ({ n }) => {
      const before = count(n);
      shout(when(isBig(n), () => before, () => tag("x")));
    });
    expect(problems(() => f.graph())).toStrictEqual([
      expect.stringMatching(/^the `then` branch of `when` at .* returns a result computed before the `when`, but its value is used; return the result of a task called in that branch/),
    ]);
  });
});
