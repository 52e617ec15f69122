/**
 * The compiler keeps state data small by construction: a value stays only while a later state
 * reads it, a Map row carries only what is read after the Map, a task receives each input once,
 * and values that are all still needed share a budget (over it, they are stored). Each of the
 * issue's examples runs locally within 256 KB, measured by the local engine (`run.stats`).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, flow, type Ref, task } from "../../sdk/index.ts";
import { runLocal } from "../../sdk/local/index.ts";
import { PAYLOAD_LIMIT_BYTES } from "../../sdk/core/protocol.ts";
import { tempDir } from "../support/temp-dir.ts";

const dir = tempDir("stepflow-liveness-");
const count = task("count", (n: number) => Array.from({ length: n }, (_, i) => i));
/** A string of `bytes` characters ending in `i`, so results differ and can be checked. */
const sized = (bytes: number, i: number) => `${i}:`.padEnd(bytes, "x");

function withinLimits(stats: { maxStateBytes: number; maxTaskEventBytes: number }) {
  expect(stats.maxStateBytes).toBeLessThanOrEqual(PAYLOAD_LIMIT_BYTES);
  expect(stats.maxTaskEventBytes).toBeLessThanOrEqual(PAYLOAD_LIMIT_BYTES);
}

describe("state data liveness (issue examples, run locally)", () => {
  it("runs a 1,000-item map of 248 B results within 256 KB (the rows store what would not fit)", async () => {
    const pad = task("pad", (i: number) => sized(248, i));
    const wide = flow("wide-248", { params: z.object({ n: z.number() }) }, ({ n }) => pad.map(count(n)));
    const run = await runLocal(wide, { n: 1000 }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    withinLimits(run.stats);
    expect(run.result).toHaveLength(1000);
    expect((run.result as string[])[999]).toBe(sized(248, 999));
  });

  it("runs 600 items x 200 B through a 2-task map chain and a reducer reading both columns", async () => {
    const first = task("first", (i: number) => sized(200, i));
    const second = task("second", (s: string) => sized(200, Number(s.split(":")[0]) * 2));
    const reduce = task("reduce", (a: string[], b: string[]) => a.length + b.length + Number(b[599].split(":")[0]));
    const chain = flow("chain-600", { params: z.object({ n: z.number() }) }, ({ n }) => {
      const a = first.map(count(n));
      return reduce(a, second.map(a));
    });
    const run = await runLocal(chain, { n: 600 }, { dir });
    expect(run.status).toBe("SUCCEEDED");
    withinLimits(run.stats);
    expect(run.result).toBe(600 + 600 + 1198);
  });

  it("keeps a 140-task chain of ~2 KB results as small as a 2-task chain", async () => {
    const step = task("step", (prev: string) => sized(2000, Number(prev.split(":")[0]) + 1));
    const chainOf = (length: number) =>
      flow(`chain-of-${length}`, () => {
        let value: Ref<string> = step("0:");
        for (let i = 1; i < length; i++) value = step(value);
        return value;
      });
    const long = await runLocal(chainOf(140), {}, { dir });
    const short = await runLocal(chainOf(2), {}, { dir });
    expect(long.status).toBe("SUCCEEDED");
    expect(long.result).toBe(sized(2000, 140));
    // The same state data at every length: one ~2 KB result and the run's envelope fields.
    expect(long.stats.maxStateBytes).toBeLessThan(2 * 2000 + 200);
    expect(Math.abs(long.stats.maxStateBytes - short.stats.maxStateBytes)).toBeLessThan(20);
  });

  it("runs 140 parallel ~2 KB tasks feeding one task within 256 KB (their results travel as references)", async () => {
    const part = task("part", (i: number) => sized(2000, i));
    const gather = task("gather", (...parts: string[]) => parts.map((p) => Number(p.split(":")[0])).reduce((a, b) => a + b, 0));
    const fanIn = flow("fan-in-140", () => {
      const parts = Array.from({ length: 140 }, (_, i) => part(i));
      return gather(...parts);
    });
    const run = await runLocal(fanIn, {}, { dir });
    expect(run.status).toBe("SUCCEEDED");
    withinLimits(run.stats);
    expect(run.result).toBe((139 * 140) / 2);
  });
});

describe("what the compiler emits for liveness", () => {
  const a = task("a", (x: number) => x + 1);
  const b = task("b", (x: number) => x * 2);
  const sum = task("sum", (xs: number[], ys: number[]) => xs.length + ys.length);

  it("lets each state of a chain replace the results with its own: one result in state data", () => {
    const states = compile(flow("chain", () => b(a(b(a(1)))))).definition.States as unknown as Record<string, unknown>;
    expect(states.a).toMatchObject({ ResultPath: "$.results.a" });
    for (const name of ["b", "a-2", "b-2"]) {
      const id = name.replace("-", "_");
      expect(states[name]).toMatchObject({ ResultSelector: { [`${id}.$`]: "$" }, ResultPath: "$.results" });
    }
  });

  it("keeps in each Map row only the members read after the Map", () => {
    const f = flow("rows", () => sum(b.map(a.map([1, 2, 3])), b.map(a.map([4, 5]))));
    const states = compile(f).definition.States as Record<string, { Type: string; Branches?: unknown[] }>;
    const maps = JSON.stringify(states);
    // `a` is read by `b` only: `b` replaces it, so rows hold `b` alone.
    expect(maps).toContain('"ResultSelector":{"b.$":"$"}');
    expect(maps).not.toContain('"ResultPath":"$.results.b"');
  });

  it("passes a Map's rows once to a task that reads two of its columns", () => {
    const f = flow("two-columns", () => {
      const xs = a.map([1, 2, 3]);
      return sum(xs, b.map(xs));
    });
    const parameters = (compile(f).definition.States.sum as { Parameters: Record<string, unknown> }).Parameters;
    expect(parameters.lists).toStrictEqual({ "l0.$": "$.results.map_a" });
    expect(parameters.args).toStrictEqual([
      { list: "l0", col: "a" },
      { list: "l0", col: "b" },
    ]);
  });
});

describe("inline Map item budget from history events per item", () => {
  const inc = task("inc", (x: number) => x + 1);

  it("gives a list's producer the items its Map's chain can run within 25,000 events", () => {
    const one = flow("one-task-items", { params: z.object({ n: z.number() }) }, ({ n }) => inc.map(count(n)));
    const five = flow("five-task-items", { params: z.object({ n: z.number() }) }, ({ n }) =>
      inc.map(inc.map(inc.map(inc.map(inc.map(count(n)))))),
    );
    const budget = (f: typeof one) =>
      (compile(f).definition.States.count as unknown as { Parameters: { maxItems: number } }).Parameters.maxItems;
    // Every Lambda Task may retry Lambda service errors 3 times, 3 events each: a task costs 5 + 9
    // at worst. Fixed: execution 2 + count 14 + the inline Map 4 + its Distributed copy 6 = 26; per
    // item 2 + 14 for one task, 2 + 70 for five.
    expect(budget(one)).toBe(Math.floor((25_000 - 26) / 16));
    expect(budget(five)).toBe(Math.floor((25_000 - 26) / 72));
  });

  it("counts a task's own retries at their worst: 3 events per retry of every item", () => {
    const flaky = task("flaky", { retries: 4 }, (x: number) => x + 1);
    const f = flow("retried-items", { params: z.object({ n: z.number() }) }, ({ n }) => flaky.map(count(n)));
    const budget = (compile(f).definition.States.count as unknown as { Parameters: { maxItems: number } }).Parameters.maxItems;
    // Per item: iteration 2 + task 5 + (3 service + 4 own retries) × 3 = 28.
    expect(budget).toBe(Math.floor((25_000 - 26) / 28));
  });

  it("runs a Map at its item budget inline and one item more as a Distributed Map", async () => {
    // 300 retries make each item's worst case 2 + 5 + (3 + 300) × 3 = 916 events: a budget of 27
    // items, so the switch runs here at a small size (the budgets of cheap items run in
    // liveness-scale.test.ts, in the e2e tier). No item fails: each runs once.
    const patient = task("patient", { retries: 300 }, (x: number) => x + 1);
    const f = flow("patient-items", { params: z.object({ n: z.number() }) }, ({ n }) => patient.map(count(n)));
    const budget = (compile(f).definition.States.count as unknown as { Parameters: { maxItems: number } }).Parameters.maxItems;
    expect(budget).toBe(Math.floor((25_000 - 26) / 916));
    const inline = await runLocal(f, { n: budget }, { dir });
    expect(inline.status).toBe("SUCCEEDED");
    expect(inline.result).toEqual(Array.from({ length: budget }, (_, i) => i + 1));
    expect(inline.stats.childExecutions).toBeUndefined();
    // Execution 2 + count 5 + Map 4, and per item its iteration's 2 and the task's 5.
    expect(inline.stats.historyEvents).toBe(11 + budget * 7);
    const over = await runLocal(f, { n: budget + 1 }, { dir });
    expect(over.status).toBe("SUCCEEDED");
    expect(over.result).toEqual(Array.from({ length: budget + 1 }, (_, i) => i + 1));
    expect(over.stats.childExecutions).toBe(budget + 1);
    // The parent: execution 2, `count` 5, the Distributed Map 6; each child: 2 and the task's 5.
    expect(over.stats.historyEvents).toBe(13);
    expect(over.stats.maxChildHistoryEvents).toBe(7);
  });
});
