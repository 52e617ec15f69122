import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, flow, task } from "../../sdk/index.ts";
import { runFlow, type TestRun } from "../../sdk/testing/index.ts";
import type { MapState, StateMachineDefinition, TaskState } from "../../sdk/compile/asl.ts";

const numbers = task("numbers", (n: number) => Array.from({ length: n }, (_, i) => i));
const bump = task("bump", (x: number) => x + 1);
const bumpLarge = task("bump-large", { large: true, maxConcurrency: 1000 }, (x: number) => x + 1);
const total = task("total", (xs: number[]) => xs.reduce((a, b) => a + b, 0));

/** No annotation: the list's length decides at run time, inline Map or Distributed Map. */
const unannotated = flow("unannotated-map", { params: z.object({ n: z.number() }) }, ({ n }) =>
  total(bump.map(numbers(n))),
);
/**
 * The same Map of an item whose worst case is 300 retries (2 + 5 + 303 × 3 = 916 events): an inline
 * budget of 27 items instead of 1,560, so a run past it starts a few hundred child executions, not
 * a couple of thousand. No item fails, so no retry runs.
 */
const bumpPatient = task("bump-patient", { retries: 300 }, (x: number) => x + 1);
const patient = flow("patient-map", { params: z.object({ n: z.number() }) }, ({ n }) =>
  total(bumpPatient.map(numbers(n))),
);
/** Declared large: always a Distributed Map. */
const declared = flow("declared-large-map", { params: z.object({ n: z.number() }) }, ({ n }) =>
  total(bumpLarge.map(numbers(n))),
);

const sum = (n: number) => (n * (n + 1)) / 2;

/** A run of `n` items as a Distributed Map: its sum, a child execution per item, every execution within AWS's limits. */
function expectDistributedWithinLimits(run: TestRun<unknown>, n: number): void {
  expect(run.status).toBe("SUCCEEDED");
  expect(run.result).toBe(sum(n));
  expect(run.stats.childExecutions).toBe(n);
  // Parent: execution 2 + numbers 5 + Distributed Map 6 + total 5. Each child: 2 + bump 5.
  expect(run.stats.historyEvents).toBe(18);
  expect(run.stats.maxChildHistoryEvents).toBe(7);
  expect(run.stats.maxStateBytes).toBeLessThanOrEqual(262_144);
  expect(run.stats.maxTaskEventBytes).toBeLessThanOrEqual(262_144);
}

function states(d: StateMachineDefinition): Record<string, unknown> {
  return d.States;
}

/** Most items the compiler lets the Map of `f` run inline (the producer's `maxItems`). */
function inlineBudget(f: typeof unannotated = unannotated): number {
  const producer = states(compile(f).definition).numbers as TaskState;
  const budget = (producer.Parameters as { maxItems?: number }).maxItems;
  expect(budget).toBeGreaterThan(f === unannotated ? 100 : 10);
  return budget ?? 0;
}

describe("lists too long for an inline Map run as a Distributed Map", () => {
  it("compiles an unannotated Map with a Catch on the list's producer into a Distributed Map: no extra state inline", () => {
    const s = states(compile(unannotated).definition);
    const producer = s.numbers as TaskState;
    expect(producer.Next).toBe("map bump");
    expect(producer.Catch).toEqual([
      { ErrorEquals: ["stepflow.ListStored"], ResultPath: "$.results.numbers", Next: "map bump (distributed)" },
    ]);
    // The storing error is never retried, whatever the task's own retries.
    expect(producer.Retry?.[0]).toEqual({ ErrorEquals: ["stepflow.ListStored"], MaxAttempts: 0 });
    const distributed = s["map bump (distributed)"] as MapState;
    expect(distributed.ItemProcessor.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    // The ItemReader reads the key the producer stores the list at.
    expect(distributed.ItemReader?.Parameters["Key.$"]).toBe(
      (producer.Parameters as Record<string, unknown>)["spillKey.$"],
    );
    expect(Object.keys(distributed.ItemProcessor.States)).toEqual(["bump (distributed)"]);
    expect((s["map bump"] as MapState).Next).toBe("total");
    expect(distributed.Next).toBe("total");
  });

  it("runs a 100-item unannotated Map inline: the producer passes its items and no child execution starts", async () => {
    const run = await runFlow(unannotated, { n: 100 });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toBe(sum(100));
    expect(run.stats.childExecutions).toBeUndefined();
  });

  it("runs an unannotated Map past its inline budget to completion, every execution within 256 KB and 25,000 events", async () => {
    // Past the budget the list runs distributed, and the events and bytes per execution no longer
    // grow with it: a few hundred items over the budget show what 10,000 would (the exact event
    // counts below hold per parent whatever the count; the 100,000-item run below, of a declared
    // large Map, runs with STEPFLOW_LARGE_TESTS=1). The budget is read from the definition, so this stays past it.
    const n = inlineBudget(patient) + 400;
    const run = await runFlow(patient, { n });
    expectDistributedWithinLimits(run, n);
    expect(run.attempts(bumpPatient)).toBe(n);
    // The list was stored, not failed: its producer ran once and succeeded.
    expect(run.calls(numbers).map((t) => t.status)).toEqual(["SUCCEEDED"]);
  }, 600_000);

  // Minutes on a loaded 2-core machine: run with STEPFLOW_LARGE_TESTS=1.
  it.runIf(process.env.STEPFLOW_LARGE_TESTS === "1")("runs a 100,000-item `large` Map to completion, every execution within 256 KB and 25,000 events", async () => {
    const run = await runFlow(declared, { n: 100_000 });
    expectDistributedWithinLimits(run, 100_000);
  }, 1_200_000);

  it("fails the run with States.ExceedToleratedFailureThreshold when an item fails, naming the item", async () => {
    const n = inlineBudget() + 400;
    const broken = n - 321;
    const run = await runFlow(unannotated, { n }, {
      overrides: {
        bump: (x: number) => {
          if (x === broken) throw new Error(`item ${broken} is broken`);
          return x + 1;
        },
      },
    });
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "States.ExceedToleratedFailureThreshold", mapIndex: broken });
    expect(run.error?.message).toMatch(
      new RegExp(`Distributed Map \`map bump \\(distributed\\)\` failed: .*item ${broken} is broken`),
    );
    // The Map stops starting items once one failed for good (they run 40 at a time).
    expect(run.attempts(bump)).toBeLessThan(n);
  }, 600_000);
});
