import { describe, expect, it } from "vitest";
import { criticalPath, makespan, spSchedule } from "../../sdk/compile/private/sp-schedule.ts";
import { compile } from "../../sdk/index.ts";
import { definitionMakespan, randomDag, randomTaskMapWhenFlow } from "../support/random-flows.ts";
import { assertValidAsl, standInRun } from "../support/stand-in-run.ts";

describe("parallel schedule", () => {
  it("keeps 100 seeded random DAGs within 10% of the critical path on average", () => {
    const ratios: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const dag = randomDag(seed);
      const compiled = compile(dag.flow);
      const duration = (state: string) =>
        dag.durations[state === "node" ? 0 : Number(state.slice("node-".length)) - 1];
      const span = definitionMakespan(compiled.definition, duration);
      const critical = criticalPath(
        dag.deps.map((_, i) => i),
        (i) => dag.deps[i],
        (i) => dag.durations[i],
      );
      expect(span).toBeGreaterThanOrEqual(critical - 1e-9);
      ratios.push(span / critical);
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(mean).toBeLessThanOrEqual(1.1);
  });

  it("schedules a non-series-parallel DAG (a->c, a->d, b->d) without serialising everything", () => {
    const deps: Record<string, string[]> = { a: [], b: [], c: ["a"], d: ["a", "b"] };
    const s = spSchedule(["a", "b", "c", "d"], (n) => deps[n]);
    const durations: Record<string, number> = { a: 1, b: 1, c: 1, d: 1 };
    expect(makespan(s, (n) => durations[n])).toBe(2);
  });

  it("runs the compiled DAGs with every dependency satisfied", async () => {
    for (const seed of [3, 7, 11]) {
      const dag = randomDag(seed);
      const run = await standInRun(dag.flow);
      const started = run.calls.map((c) => (c === "node" ? 0 : Number(c.slice("node-".length)) - 1));
      const position = new Map(started.map((n, i) => [n, i]));
      for (const [i, deps] of dag.deps.entries())
        for (const d of deps) expect(position.get(d)!).toBeLessThan(position.get(i)!);
    }
  });
});

describe("transitions", () => {
  it.each([1, 2, 3, 4, 5, 6])(
    "costs at most 1.02 transitions per task on random task/map/condition flow %i",
    async (seed) => {
      const f = randomTaskMapWhenFlow(seed);
      assertValidAsl(compile(f).definition);
      const run = await standInRun(f);
      const structural = (run.entered.Map ?? 0) + (run.entered.Choice ?? 0) + (run.entered.Parallel ?? 0);
      // No glue: every state entered is a task or a structural Map/Choice/Parallel.
      expect(run.transitions).toBe(run.taskRuns + structural);
      expect(run.entered.Pass ?? 0).toBe(0);
      expect(run.transitions / run.taskRuns).toBeLessThanOrEqual(1.02);
    },
  );
});
