import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type AnyFlow,
  compile,
  flow,
  FlowDefinitionError,
  ParamsError,
  type Ref,
  secret,
  slack,
  task,
  unmapped,
  when,
} from "../../sdk/index.ts";
import { collectFlows } from "../../sdk/graph/collect.ts";
import { problems } from "./support/problems.ts";

const num = task("num", () => 1);
const add = task("add", (a: number, b: number) => a + b);
const isBig = task("is-big", (n: number) => n > 10);
const log = task("log", (msg: string) => msg);


describe("graph building", () => {
  it("records calls, data edges, map groups, conditions, subflows and secrets", () => {
    const child = flow("child", { params: z.object({ n: z.number() }) }, ({ n }) => add(n, 1));
    const f = flow("every", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) => {
      const a = num();
      const doubled = add.map(xs, unmapped(a));
      add.map(doubled, unmapped(2));
      when(isBig(a), () => log(secret("token")));
      return child({ n: a });
    });
    const g = f.graph();
    expect(g.calls.map((c) => [c.kind, c.state])).toEqual([
      ["task", "num"],
      ["task", "add"],
      ["task", "add-2"],
      ["task", "is-big"],
      ["task", "log"],
      ["subflow", "child"],
    ]);
    // add-2 maps over add's results item by item: fused into one group, run depth-first.
    expect(g.groups).toStrictEqual([
      {
        id: "map_add",
        lists: [{ arg: 0, source: { kind: "param", name: "xs" } }],
        large: false,
        maxConcurrency: 40,
        members: ["add", "add_2"],
      },
    ]);
    expect(g.conditions.map((c) => c.source)).toEqual([{ kind: "node", node: "is_big" }]);
    expect(g.calls[4].scope).toEqual([{ condition: "when_1", branch: "then" }]);
    expect(g.secrets).toStrictEqual({ num: [], add: [], add_2: [], is_big: [], log: ["token"], child: [] });
    expect(g.result).toEqual({ kind: "node", node: "child" });
  });

  it("does not fuse a map that needs the whole list of another map", () => {
    const f = flow("unfused", () => {
      const a = add.map([1, 2], unmapped(1));
      return add.map(a, unmapped(a as unknown as Ref<number>));
    });
    expect(f.graph().groups.map((g) => g.members)).toEqual([["add"], ["add_2"]]);
  });

  it("collects every problem of a body into one error with the fixes", () => {
    const other = flow("other", () => num());
    let foreign: Ref<number> | undefined;
    flow("source", () => {
      foreign = num();
    }).graph();
    const dup = task("num", () => 2);
    const f = flow("broken", { params: z.object({ results: z.string(), n: z.number() }) }, ({ n }) => {
      add(foreign!, 1);
      add.map([1, 2, 3], [1, 2]);
      when(true as unknown as Ref<boolean>, () => num());
      when(n as unknown as Ref<boolean>, () => num());
      add((() => 1) as never, 2);
      log(undefined as unknown as string);
      add(10n as unknown as number, 1);
      dup();
      num();
      void other;
    });
    const list = problems(() => f.graph());
    expect(list).toHaveLength(9);
    expect(list[0]).toMatch(
      /^argument 1 of `add` uses a value from another flow's body; pass it to `broken` as a parameter/,
    );
    expect(list[1]).toMatch(
      /`add-2.map\(...\)` at .* iterates lists of different lengths \(argument 1 has 3, argument 2 has 2\)/,
    );
    expect(list[2]).toMatch(/the condition of `when` at .* is the constant true, not a boolean ref/);
    expect(list[3]).toMatch(/argument 1 of `add-3` is a function; pass JSON values/);
    expect(list[4]).toMatch(/argument 1 of `log` is undefined/);
    expect(list[5]).toMatch(/argument 1 of `add-4` is a bigint/);
    expect(list[6]).toMatch(
      /task name `num` is used by test\/define\/graph.test.ts:\d+ and test\/define\/graph.test.ts:\d+/,
    );
    expect(list[7]).toMatch(/parameter `results` uses a name stepflow keeps/);
    expect(list[8]).toMatch(/the condition of `when` at .* is parameter `n` of type number, not boolean/);
  });

  it("rejects a flow with no tasks and an async body", () => {
    expect(problems(() => flow("empty", () => {}).graph())).toEqual([
      "its body calls no task; call at least one task (a flow with nothing to run is a mistake)",
    ]);
    expect(problems(() => flow("async", (async () => num()) as never).graph())[0]).toMatch(
      /its body is async/,
    );
  });

  it("rejects using a branch's result outside the branch", () => {
    const f = flow("leak", () => {
      let inside: Ref<number> | undefined;
      when(isBig(num()), () => {
        inside = num();
      });
      return add(inside!, 1);
    });
    expect(problems(() => f.graph())[0]).toMatch(
      /`add` \(.*\) uses the result of `num-2` .* which only runs inside a `when` branch/,
    );
  });

  it("rejects a list of results as a condition and a non-list to .map", () => {
    const f = flow("bad-cond", () => {
      when(isBig.map([1, 2]) as unknown as Ref<boolean>, () => num());
      add.map(1 as never, [1]);
    });
    const list = problems(() => f.graph());
    expect(list.some((p) => /is the list of results of `is-big.map\(...\)`, not a boolean/.test(p))).toBe(
      true,
    );
    expect(list.some((p) => /argument 1 of `add` of a `.map` call is not a list/.test(p))).toBe(true);
  });

  it("rejects unknown subflow parameters and self-calls", () => {
    const child = flow("kid", { params: z.object({ n: z.number() }) }, ({ n }) => add(n, 1));
    const f = flow("parent", () => child({ m: 1 } as never));
    expect(problems(() => f.graph())[0]).toMatch(
      /subflow `kid` called at .* has no parameter `m`; it takes `n`/,
    );
    // The body refers to the flow being defined, so its type is spelled out.
    const selfish: AnyFlow = flow("selfish", () => {
      num();
      selfish();
    });
    expect(problems(() => selfish.graph())).toStrictEqual([
      expect.stringMatching(/^it calls itself as a subflow at test\/define\/graph\.test\.ts:\d+; flows cannot recurse$/),
    ]);
  });

  it("finds duplicate flow names and subflow cycles across flows", () => {
    const a1 = flow("same", () => num());
    const a2 = flow("same", () => num());
    const parent = flow("parent-of-both", () => {
      a1();
      a2();
    });
    expect(problems(() => collectFlows([parent]))[0]).toMatch(
      /flow name `same` is used by .*graph.test.ts:\d+ and .*graph.test.ts:\d+/,
    );
    const ok = flow("leaf", () => num());
    const mid = flow("mid", () => ok());
    expect(collectFlows([mid]).map((f) => f.flowName)).toEqual(["leaf", "mid"]);
  });

  it.each([2, 3, 5])("names a cycle of %i flows calling each other, wherever it is entered", (n) => {
    const ring: AnyFlow[] = [];
    for (let i = 0; i < n; i++) {
      ring.push(
        flow(`ring${n}-${i}`, () => {
          num();
          ring[(i + 1) % n]();
        }),
      );
    }
    const names = (start: number) =>
      [...Array.from({ length: n }, (_, k) => ring[(start + k) % n]), ring[start]]
        .map((f) => `\`${f.flowName}\` \\(test/define/graph\\.test\\.ts:\\d+\\)`)
        .join(" -> ");
    const cycle = (start: number) =>
      new RegExp(`^subflows call each other in a cycle: ${names(start)}; .*break the cycle$`);
    expect(problems(() => collectFlows([ring[0]]))).toStrictEqual([expect.stringMatching(cycle(0))]);
    // Entered anywhere, and again: nothing half-built is cached.
    expect(problems(() => ring[n - 1].graph())).toStrictEqual([expect.stringMatching(cycle(n - 1))]);
    expect(problems(() => compile(ring[1]))).toStrictEqual([expect.stringMatching(cycle(1))]);
    expect(() => compile(ring[0])).toThrow(FlowDefinitionError);
  });
});

describe("params", () => {
  const f = flow(
    "params",
    { params: z.object({ coin: z.string().default("DOGE"), threshold: z.number().min(0).default(10) }) },
    ({ coin, threshold }) => add(coin as never, threshold),
  );

  it("applies defaults", () => {
    expect(f.parse({})).toEqual({ coin: "DOGE", threshold: 10 });
  });

  it("returns its own output as it is, so a transform is applied once however often it is passed on", () => {
    const sized = flow("sized", { params: z.object({ word: z.string().transform((w) => w.length) }) }, ({ word }) =>
      add(word as never, 1),
    );
    const once = sized.parse({ word: "abc" });
    expect(once).toStrictEqual({ word: 3 });
    expect(sized.parse(once)).toBe(once);
    // Another flow's output, or a copy, is validated as any input.
    expect(() => f.parse(once)).toThrow(ParamsError);
    expect(() => sized.parse({ ...once })).toThrow(/`word`: /);
  });

  it("rejects reading a parameter that may be left out with no default, naming every reader and the fix", () => {
    const optional = flow(
      "optional-params",
      { params: z.object({ note: z.string().optional(), loud: z.boolean().optional(), extra: z.unknown(), unread: z.string().optional() }) },
      ({ note, loud, extra }) => when(loud as Ref<boolean>, () => {
        log(note as never);
        log(note as never);
        log(extra as never);
      }),
    );
    const found = problems(() => compile(optional));
    expect(found).toHaveLength(3);
    const leftOut = (name: string) => `parameter \`${name}\` may be left out \\(it is optional, or its type accepts undefined\\) and has no default, and`;
    expect(found[0]).toMatch(new RegExp(`${leftOut("note")} \`log\` \\(.*graph\\.test\\.ts:\\d+\\), \`log-2\` \\(.*\\) read it: .*States\\.Runtime.*\`\\.nullable\\(\\)\\.default\\(null\\)\``));
    expect(found[1]).toMatch(new RegExp(`${leftOut("extra")} \`log-3\` \\(.*\\) reads it`));
    expect(found[2]).toMatch(new RegExp(`${leftOut("loud")} the condition of \`when\` at .*graph\\.test\\.ts:\\d+ reads it`));
  });

  it("runs a parameter that has a default, null included, however the run leaves it out", async () => {
    const { runLocal } = await import("../../sdk/local/index.ts");
    const greet = task("greet", (note: string | null, loud: boolean) => `${note ?? "nothing"}${loud ? "!" : ""}`);
    const defaults = flow(
      "default-params",
      { params: z.object({ note: z.string().nullable().default(null), loud: z.boolean().default(false) }) },
      ({ note, loud }) => greet(note, loud),
    );
    expect((await runLocal(defaults, {})).result).toBe("nothing");
    expect((await runLocal(defaults, { note: "hi", loud: true })).result).toBe("hi!");
  });

  it("names every bad field, unknown ones included", () => {
    let error: ParamsError | undefined;
    try {
      f.parse({ coin: 3, threshold: -1, con: "x" });
    } catch (e) {
      error = e as ParamsError;
    }
    expect(error).toBeInstanceOf(ParamsError);
    expect(error!.issues.map((i) => i.path)).toEqual(["con", "coin", "threshold"]);
    expect(error!.message).toMatch(
      /parameters for flow `params` are invalid:\n {2}- `con`: unknown parameter; known: coin, threshold/,
    );
  });

  it("slack needs a secret and known statuses", () => {
    expect(slack(secret("hook"), { on: ["FAILED"] })).toStrictEqual({
      kind: "slack",
      secret: "hook",
      on: ["FAILED"],
    });
    expect(() => slack("https://hooks" as never)).toThrow(/needs the webhook URL as a secret/);
    expect(() => slack(secret("hook"), { on: ["DONE" as never] })).toThrow(/unknown status `DONE`/);
  });
});
