/**
 * The inline Map item budget at its real sizes: a Map of cheap items runs inline up to its
 * budget (over a thousand items) and as a Distributed Map past it, within 25,000 events even when
 * every item uses up its retries. Thousands of task runs each: the e2e tier (vitest.config.ts);
 * liveness.test.ts runs the same switch at a 27-item budget.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, flow, task, taskContext } from "../../sdk/index.ts";
import { runLocal } from "../../sdk/local/index.ts";
import { tempDir } from "../support/temp-dir.ts";

const dir = tempDir("stepflow-liveness-scale-");
const count = task("count", (n: number) => Array.from({ length: n }, (_, i) => i));
const inc = task("inc", (x: number) => x + 1);

describe("inline Map item budget at scale", () => {
  it("keeps an inline Map whose every item uses up its retries within 25,000 events, and runs one item more as a Distributed Map", async () => {
    const twice = task("fails-twice", { retries: 2 }, (x: number) => {
      if (taskContext().attempt < 2) throw new Error(`attempt ${taskContext().attempt} of item ${x} fails`);
      return x;
    });
    const f = flow("fails-twice-items", { params: z.object({ n: z.number() }) }, ({ n }) => twice.map(count(n)));
    const budget = (compile(f).definition.States.count as unknown as { Parameters: { maxItems: number } }).Parameters.maxItems;
    const full = await runLocal(f, { n: budget }, { dir, fastRetries: true });
    expect(full.status).toBe("SUCCEEDED");
    expect(full.stats.childExecutions).toBeUndefined();
    // Execution 2 + count 5 + Map 4, and per item 2 + 5 + its 2 retries' 6: within the limit, with
    // room left for the Lambda service retries it was budgeted for (none happen here).
    expect(full.stats.historyEvents).toBe(11 + budget * 13);
    expect(budget * (13 + 3 * 3) + 26).toBeLessThanOrEqual(25_000);
    const over = await runLocal(f, { n: budget + 1 }, { dir, fastRetries: true });
    expect(over.status).toBe("SUCCEEDED");
    expect(over.stats.childExecutions).toBe(budget + 1);
  }, 120_000);

  it("runs 1,200 items of a one-task chain inline (over the old fixed 1,000) and a five-task chain over its 346-item budget as a Distributed Map", async () => {
    const one = flow("one-task-1200", { params: z.object({ n: z.number() }) }, ({ n }) => inc.map(count(n)));
    const ran = await runLocal(one, { n: 1200 }, { dir });
    expect(ran.status).toBe("SUCCEEDED");
    expect(ran.stats.historyEvents).toBeLessThanOrEqual(25_000);
    expect(ran.stats.childExecutions).toBeUndefined();
    const five = flow("five-task-items", { params: z.object({ n: z.number() }) }, ({ n }) =>
      inc.map(inc.map(inc.map(inc.map(inc.map(count(n)))))),
    );
    const budget = (compile(five).definition.States.count as unknown as { Parameters: { maxItems: number } }).Parameters.maxItems;
    expect(budget).toBe(346);
    // One item over its budget inline (the fewest that switch; the 1,000 switch the same
    // way, at three times the cost): the list is stored and each item is a child execution.
    const n = budget + 1;
    const switched = await runLocal(five, { n }, { dir });
    expect(switched.status).toBe("SUCCEEDED");
    expect(switched.result).toEqual(Array.from({ length: n }, (_, i) => i + 5));
    expect(switched.stats.childExecutions).toBe(n);
    // Each child: its execution's 2 events and 5 tasks of 5.
    expect(switched.stats.maxChildHistoryEvents).toBe(27);
    // The parent: execution 2, `count` 5, the Distributed Map 6.
    expect(switched.stats.historyEvents).toBe(13);
  });
});
