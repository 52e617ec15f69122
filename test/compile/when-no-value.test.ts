/**
 * A `when` whose branch gives no value (it returns nothing, or is missing), read by a later task:
 * the key it is read at must hold `{}` whichever branch ran (AWS fails a state whose JSONPath
 * reaches a missing key). The state that last wrote the whole results before the branch writes it
 * beside its own result, so the machine has no state beyond the Choice and the branches' tasks.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type AnyFlow, compile, flow, task, when } from "../../sdk/index.ts";
import { whenBeside, whenFirst, whenInBranch, whenSlots } from "../rehearse/fixtures/when-values.ts";
import { assertValidAsl, standInRun } from "../support/stand-in-run.ts";

const isBig = task("is-big", (n: number) => n > 10);
const isEven = task("is-even", (n: number) => n % 2 === 0);
const count = task("count", (n: number) => n);
const note = task("note", (_n: number): void => undefined);
const shout = task("shout", (v: number | undefined) => `${String(v)}!`);
const pair = task("pair", (a: number, v: number | undefined) => `${a}/${String(v)}`);
const N = { params: z.object({ n: z.number() }) };
const FLAG = { params: z.object({ n: z.number(), flag: z.boolean() }) };

type States = Record<string, { Type: string; ResultSelector?: Record<string, unknown>; ResultPath?: string | null }>;
const states = (f: AnyFlow) => compile(f).definition.States as unknown as States;
/** Every state type of the machine, nested ones too, sorted. */
const types = (f: AnyFlow): string[] => JSON.stringify(compile(f).definition).match(/"Type":"\w+"/g)!.map((t) => t.slice(8, -1)).sort();

const afterCondition = flow("after-condition", N, ({ n }) => shout(when(isBig(n), () => count(n))));
const keptAlive = flow("kept-alive", N, ({ n }) => {
  const a = count(n);
  return pair(a, when(isBig(a), () => count(n)));
});
const emptyOtherwise = flow("empty-otherwise", N, ({ n }) =>
  shout(
    when(
      isBig(n),
      () => count(n),
      () => {
        note(n);
      },
    ),
  ),
);
const beside = flow("beside", N, ({ n }) => {
  const a = count(n);
  return pair(a, when(isBig(n), () => count(n)));
});
const shoutCount = task("shout-count", (v: number | undefined) => (v === undefined ? -1 : v * 10));
const nested = flow("nested", N, ({ n }) => shout(when(isBig(n), () => shoutCount(when(isEven(n), () => count(n))))));
const paramAfterTask = flow("param-after-task", FLAG, ({ n, flag }) => {
  const a = count(n);
  return pair(a, when(flag, () => count(a)));
});
const paramFirst = flow("param-first", FLAG, ({ n, flag }) => shout(when(flag, () => count(n))));
const unreadBeside = flow("unread-beside", FLAG, ({ n, flag }) => {
  const a = count(n);
  when(flag, () => {
    note(n);
  });
  return shout(a);
});
// Nothing runs before the Choice in its Parallel branch (the branch starts the machine), but the
// when's value is the branch's only result: the branch outputs it.
const paramBeside = flow("param-beside", FLAG, ({ n, flag }) => pair(count(n), when(flag, () => count(n))));

describe("a when's missing value, read by a later task, costs no state", () => {
  it.each([
    ["after-condition", afterCondition, ["Choice", "Task", "Task", "Task"]],
    ["kept-alive", keptAlive, ["Choice", "Task", "Task", "Task", "Task"]],
    ["empty-otherwise", emptyOtherwise, ["Choice", "Task", "Task", "Task", "Task"]],
    // A Choice cannot end a branch: its Default ends at a Succeed state, as for any `when` ending a block.
    ["beside", beside, ["Choice", "Parallel", "Succeed", "Task", "Task", "Task", "Task"]],
    ["nested", nested, ["Choice", "Choice", "Task", "Task", "Task", "Task", "Task"]],
    ["param-after-task", paramAfterTask, ["Choice", "Task", "Task", "Task"]],
  ] as const)("%s: only the Choices and the tasks, valid ASL", (_name, f, expected) => {
    expect(types(f)).toStrictEqual(expected);
    assertValidAsl(compile(f).definition);
  });

  it("has the condition's state write `{}` under the when's key beside its own result", () => {
    const s = states(afterCondition);
    expect(s["is-big"]).toMatchObject({ ResultSelector: { "is_big.$": "$", when_1: {} }, ResultPath: "$.results" });
    // The branch's task writes its result under the same key, over the `{}`.
    expect(s.count).toMatchObject({ ResultSelector: { "when_1.$": "$" }, ResultPath: "$.results" });
    // One layout in the console: made to replace the results once linked, it has its selector where
    // a state built replacing them has it, before `Next`.
    expect(Object.keys(s["is-big"])).toStrictEqual(["Type", "Resource", "Parameters", "ResultPath", "TimeoutSeconds", "Retry", "ResultSelector", "Next"]);
    expect(Object.keys(s["is-big"])).toStrictEqual(Object.keys(s.count));
  });

  it("has the first state write it when a result read later keeps the condition's state from replacing the results", () => {
    const s = states(keptAlive);
    expect(s["is-big"]).toMatchObject({ ResultPath: "$.results.is_big" });
    expect(s.count).toMatchObject({ ResultSelector: { "count.$": "$", when_1: {} }, ResultPath: "$.results" });
  });

  it.each([
    ["after-condition", afterCondition, { n: 20 }, "20!", 3],
    ["after-condition", afterCondition, { n: 1 }, "undefined!", 2],
    ["kept-alive", keptAlive, { n: 20 }, "20/20", 4],
    ["kept-alive", keptAlive, { n: 1 }, "1/undefined", 3],
    ["empty-otherwise", emptyOtherwise, { n: 20 }, "20!", 3],
    ["empty-otherwise", emptyOtherwise, { n: 1 }, "undefined!", 3],
    ["beside", beside, { n: 20 }, "20/20", 4],
    ["beside", beside, { n: 1 }, "1/undefined", 3],
    ["nested", nested, { n: 20 }, "200!", 5],
    ["nested", nested, { n: 21 }, "-1!", 4],
    ["nested", nested, { n: 1 }, "undefined!", 2],
    ["param-after-task", paramAfterTask, { n: 3, flag: true }, "3/3", 3],
    ["param-after-task", paramAfterTask, { n: 3, flag: false }, "3/undefined", 2],
  ] as const)("%s with %o gives %s, entering only its tasks and Choices", async (_name, f, params, expected, tasks) => {
    const run = await standInRun(f, params);
    expect(run.result).toBe(expected);
    expect(run.taskRuns).toBe(tasks);
    expect(run.entered.Pass ?? 0).toBe(0);
  });

  it("runs a `when` that starts a Parallel branch and gives nothing on a branch that ran nothing", async () => {
    // The branch's Succeed outputs `{}`: `$.results` does not exist where nothing ran.
    for (const flag of [true, false]) expect((await standInRun(unreadBeside, { n: 3, flag })).result).toBe("3!");
    expect(JSON.stringify(compile(unreadBeside).definition)).toContain('"done":{"Type":"Succeed","OutputPath":null}');
  });

  it("compiles the rehearsed fixture (test/rehearse/fixtures/when-values.ts) with no Pass state", () => {
    expect(types(whenSlots)).not.toContain("Pass");
    expect(types(whenBeside)).not.toContain("Pass");
    expect(types(whenInBranch)).not.toContain("Pass");
    expect(types(whenFirst).filter((t) => t === "Pass")).toHaveLength(1);
  });

  it("does not count on a switched Map's producer, which its Catch may leave with no result written", () => {
    const items = task("items", (k: number) => Array.from({ length: k }, (_, i) => i));
    const long = task("long", (ys: number[]) => ys.length > 10);
    const sizes = task("sizes", (xs: number[], ys: number[], v: number | undefined) => `${xs.length}/${ys.length}/${String(v)}`);
    const f = flow("after-switch", N, ({ n }) => {
      const xs = items(n);
      const ys = count.map(xs);
      return sizes(xs, ys, when(long(ys), () => count(n)));
    });
    const s = states(f) as unknown as Record<string, { Type: string; Catch?: unknown[]; ResultSelector?: unknown }>;
    // On AWS the list's length picks the Map at run time: `items` catches a stored list into the Distributed Map.
    expect(s.items.Catch).toHaveLength(1);
    expect(s.items.ResultSelector).toBeUndefined();
    expect(Object.values(s).filter((x) => x.Type === "Pass")).toHaveLength(1);
    assertValidAsl(compile(f).definition);
  });

  it("keeps one Pass state where nothing ran before the Choice: a parameter condition as the flow's first state", async () => {
    expect(Object.entries(states(paramFirst)).filter(([, s]) => s.Type === "Pass")).toStrictEqual([
      ["no value when_1", { Type: "Pass", Result: {}, ResultPath: "$.results.when_1", Next: "shout" }],
    ]);
    expect((await standInRun(paramFirst, { n: 3, flag: false })).result).toBe("undefined!");
    expect((await standInRun(paramFirst, { n: 3, flag: true })).result).toBe("3!");
  });

  it("gives a Parallel branch's only result, a when's value, as the branch's output: `{}` where it gave none, with no Pass state", async () => {
    const s = compile(paramBeside).definition.States as unknown as Record<string, { Type: string; ResultSelector?: unknown }>;
    const parallel = Object.values(s).find((x) => x.Type === "Parallel")!;
    expect(parallel.ResultSelector).toStrictEqual({ "count.$": "$[0].count", "when_1.$": "$[1]" });
    // The Choice's Default ends the branch (a Choice cannot end it) with the "no value" `{}` as output.
    expect(JSON.stringify(parallel)).toContain('"done":{"Type":"Succeed","OutputPath":null}');
    expect(types(paramBeside)).toStrictEqual(["Choice", "Parallel", "Succeed", "Task", "Task", "Task"]);
    const run = await standInRun(paramBeside, { n: 3, flag: false });
    expect([run.result, run.entered.Pass ?? 0]).toStrictEqual(["3/undefined", 0]);
    expect((await standInRun(paramBeside, { n: 3, flag: true })).result).toBe("3/3");
  });

  it("has the Parallel that starts the flow put `{}` in its branches' input for a `when` starting a branch, read later in it", async () => {
    const s = compile(whenInBranch).definition.States as unknown as Record<string, { Type: string; Parameters?: unknown }>;
    const parallel = Object.values(s).find((x) => x.Type === "Parallel")!;
    // Each parameter the branches read keeps its path; the slot sits in the results from the branch's start.
    expect(parallel.Parameters).toStrictEqual({ "flag.$": "$.flag", "n.$": "$.n", results: { when_1: {} } });
    expect(types(whenInBranch)).toStrictEqual(["Choice", "Parallel", "Task", "Task", "Task", "Task"]);
    assertValidAsl(compile(whenInBranch).definition);
    const none = await standInRun(whenInBranch, { n: 3, flag: false });
    expect([none.result, none.entered.Pass ?? 0]).toStrictEqual(["3/-1", 0]);
    expect((await standInRun(whenInBranch, { n: 3, flag: true })).result).toBe("3/30");
  });

  it("copies only the parameters the branches read, so an unread optional one left out costs no Pass state", async () => {
    const f = flow("optional-param", { params: z.object({ n: z.number(), flag: z.boolean(), tag: z.string().optional() }) }, ({ n, flag }) =>
      pair(count(n), shoutCount(when(flag, () => count(n)))),
    );
    const parallel = Object.values(compile(f).definition.States).find((s) => s.Type === "Parallel");
    expect(parallel && "Parameters" in parallel ? Object.keys(parallel.Parameters ?? {}).sort() : []).toStrictEqual(["flag.$", "n.$", "results"]);
    expect(types(f).filter((t) => t === "Pass")).toHaveLength(0);
    expect((await standInRun(f, { n: 3, flag: false })).result).toBe("3/-1");
    expect((await standInRun(f, { n: 3, flag: true })).result).toBe("3/30");
  });
});
