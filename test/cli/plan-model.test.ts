import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFlow } from "../../sdk/cli/private/plan-model.ts";
import type { AnyFlow } from "../../sdk/index.ts";
import { runLocal } from "../../sdk/local/index.ts";
import { compile } from "../../sdk/compile/compile.ts";
import { crossBranch, refsMap, shapes, wideMap, worstMap } from "../fixtures/limit-flows.ts";
import { branches, squares, sumOfSquares } from "../fixtures/local-flows.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stepflow-plan-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("planFlow", () => {
  it("counts a subflow's transitions in its parent's: its two states plus the child's run", () => {
    const child = planFlow(squares, 100).transitions;
    expect(child).toBe(102);
    expect(planFlow(sumOfSquares, 100).transitions).toBe(2 + child);
  });
});

describe("plan and the local run agree", () => {
  it.each<[string, AnyFlow, Record<string, unknown>, number]>([
    ["Parallel branches, a Map in a branch and a when", shapes, { n: 12 }, 12],
    ["a Map of one task", wideMap, { n: 20 }, 20],
    ["a Map with an unmapped parameter", squares, { n: 7, k: 2 }, 7],
    ["a subflow state", sumOfSquares, { n: 3 }, 3],
    ["a when", branches, { x: 42 }, 0],
  ])("on the history events of %s", async (_, flow, params, mapSize) => {
    const run = await runLocal(flow, params as never, { dir });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.stats.historyEvents).toBe(planFlow(flow, mapSize).historyEvents);
  });

  it("on a Map's output: what plan calls safe runs, what it warns about fails with States.DataLimitExceeded", async () => {
    // Every list entry and item result of `worst-map` is 256 B; the compiler stores those over
    // their share of the state data budget, and plan bounds the rows by that share.
    const safe = planFlow(worstMap, 964);
    expect(safe.warnings).toStrictEqual([]);
    const ran = await runLocal(worstMap, { n: 964 }, { dir });
    expect(ran.status).toBe("SUCCEEDED");
    expect(ran.stats.maxStateBytes).toBeLessThanOrEqual(safe.payloadBytes);

    // Only references can overflow a Map's rows: 1,300 of them under a long state name.
    const xs = Array.from({ length: 1300 }, (_, i) => i);
    const over = planFlow(refsMap, 1300);
    expect(over.warnings.join("\n")).toMatch(/inline Map `map pad-with-[a-z-]+` output can reach \d+ KB at 1,300 items/);
    const failed = await runLocal(refsMap, { xs }, { dir });
    expect(failed.error).toMatchObject({ name: "States.DataLimitExceeded" });
    // The plan's bound of the rows is at least the run's measure, and close to it.
    expect(failed.stats.maxStateBytes).toBeGreaterThan(262_144);
    expect(over.payloadBytes).toBeGreaterThanOrEqual(failed.stats.maxStateBytes);
    expect(over.payloadBytes - failed.stats.maxStateBytes).toBeLessThan(1300 * 16);
  });

  it("on a list over its inline budget: plan counts the Distributed Map the run takes, and both stay within 25,000 events", async () => {
    // `squares` maps over a task's list: up to its item budget inline, beyond it a Distributed Map.
    // 1,560 items: each costs 16 events at worst (its task's Lambda service retries all used).
    const inline = planFlow(squares, 1560);
    const switched = planFlow(squares, 1561);
    expect(inline.warnings.join("\n")).not.toMatch(/history events/);
    expect(switched.warnings).toStrictEqual([]);
    // Without retries, as plan counts a run: 7 events per item.
    expect(inline.historyEvents).toBeGreaterThan(1560 * 7);
    // Parent execution only: the items' events are their child executions'.
    expect(switched.historyEvents).toBeLessThan(50);
    // More items add child executions, not parent events: the plan of 4,000 counts the same.
    expect(planFlow(squares, 4000).historyEvents).toBe(switched.historyEvents);
    // The run just past the budget, as planned (more items add child executions, not parent events).
    const ran = await runLocal(squares, { n: 1561, k: 1 }, { dir });
    expect(ran.status).toBe("SUCCEEDED");
    expect(ran.stats.childExecutions).toBe(1561);
    expect(ran.stats.historyEvents).toBe(switched.historyEvents);
  }, 600_000);

  it("on a list whose producer runs in another Parallel branch: plan follows the Choice the run takes, inline or distributed", async () => {
    const states = compile(crossBranch).definition.States as Record<string, { Branches?: { States: Record<string, { Parameters?: { maxItems?: number } }> }[] }>;
    const budget = Object.values(states)
      .flatMap((s) => s.Branches ?? [])
      .map((b) => b.States.count?.Parameters?.maxItems)
      .find((m) => m !== undefined)!;
    expect(budget).toBeGreaterThan(1000);
    for (const n of [30, budget + 1]) {
      const planned = planFlow(crossBranch, n);
      const ran = await runLocal(crossBranch, { n }, { dir });
      expect(ran.status).toBe("SUCCEEDED");
      expect(ran.stats.childExecutions).toBe(n > budget ? n : undefined);
      // The same path: the inline Map's events, or the Distributed Map's in the parent only.
      expect(ran.stats.historyEvents).toBe(planned.historyEvents);
      expect(planned.warnings).toStrictEqual([]);
      // The state data bound is the path taken, not both paths' sum.
      expect(planned.payloadBytes).toBeGreaterThanOrEqual(ran.stats.maxStateBytes);
    }
    expect(planFlow(crossBranch, budget + 1).payloadBytes).toBeLessThan(planFlow(crossBranch, budget).payloadBytes);
  }, 600_000);
});
