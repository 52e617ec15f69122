import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { compile, flow, type Ref, task, when } from "../../sdk/index.ts";
import { runFlow } from "../../sdk/testing/index.ts";
import { problems } from "../define/support/problems.ts";

const isBig = task("is-big", (n: number) => n > 10);
const tag = task("tag", (s: string) => `#${s}`);
const count = task("count", (n: number) => n);
const shout = task("shout", (s: string | number | null) => `${String(s)}!`);

const labelled = flow("labelled", { params: z.object({ n: z.number() }) }, ({ n }) => {
  const big = isBig(n);
  const label = when(big, () => tag("big"), () => tag("small"));
  expectTypeOf(label).toEqualTypeOf<Ref<string>>();
  return shout(label);
});
const optional = flow("optional", { params: z.object({ n: z.number() }) }, ({ n }) => {
  const label = when(isBig(n), () => count(n));
  expectTypeOf(label).toEqualTypeOf<Ref<number | null>>();
  return shout(label);
});
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
    const types = Object.values(compile(labelled).definition.States).map((s) => s.Type);
    expect(types.filter((t) => t === "Pass")).toHaveLength(0);
    expect(types.filter((t) => t === "Task")).toHaveLength(4);
  });

  it("is null when the branch that ran gives nothing (a Pass state writes it)", async () => {
    expect((await runFlow(optional, { n: 20 })).result).toBe("20!");
    expect((await runFlow(optional, { n: 1 })).result).toBe("null!");
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
