import { describe, expect, it } from "vitest";
import type { State, StateMachineDefinition } from "../../sdk/compile/asl.ts";
import type { GraphFlow } from "../../sdk/graph/types.ts";
import { NO_TIMEOUT_SECONDS } from "../../sdk/local/private/distributed-map.ts";
import { prepare } from "../../sdk/local/private/prepare.ts";
import { everything } from "../fixtures/every-feature.ts";
import { crossBranch } from "../fixtures/limit-flows.ts";
import { largeMap, sumOfSquares } from "../fixtures/local-flows.ts";

/** The definition a stand-in's engine runs (aws-local-stepfunctions keeps it in a private field). */
const engineDefinition = (machine: unknown) => (machine as { definition: StateMachineDefinition }).definition;

describe("prepare", () => {
  it.each<[string, GraphFlow]>([
    ["a Distributed Map and a subflow in Parallel branches", everything],
    ["a switched Map whose producer runs in another branch", crossBranch],
    ["a subflow whose child has a switched Map", sumOfSquares],
    ["a large Map", largeMap],
  ])(
    "gives the engine every subflow state without a time limit and every Lambda Task state without Retry or time limit, in Distributed Maps' iterations too (%s)",
    (_, flow) => {
      const p = prepare(flow);
      const walked = new Map(p.states.map((s) => [s.name, s.state]));
      // Every state the compiler indexed is reached, the Distributed Maps' iterations included.
      expect(Object.keys(p.compiled.states).filter((name) => !walked.has(name))).toStrictEqual([]);
      const limits = (kind: string) =>
        [...walked].flatMap(([name, s]) =>
          p.compiled.states[name]?.kind === kind && s.Type === "Task" ? [[name, s.Retry, s.TimeoutSeconds]] : [],
        );
      const tasks = limits("task");
      expect(tasks.length).toBe(p.tasks.size);
      expect(tasks).toStrictEqual([...p.tasks.keys()].map((name) => [name, undefined, NO_TIMEOUT_SECONDS]).sort(byName(tasks)));
      // A subflow state keeps its retriers (of Step Functions service errors): only its time limit goes.
      expect(limits("subflow").map(([name, , timeout]) => [name, timeout])).toStrictEqual(
        [...p.subflows.keys()].map((name) => [name, NO_TIMEOUT_SECONDS]),
      );
      // The Distributed Maps' stand-ins run the very states walked: their iterations' Task states changed above.
      for (const [name, map] of p.distributed) {
        const iteration = (engineDefinition(map.machine).States[name] as Extract<State, { Type: "Map" }>).ItemProcessor;
        for (const [inner, state] of Object.entries(iteration.States)) expect(state).toBe(walked.get(inner));
        expect(map.tasks.every((t) => p.tasks.has(t))).toBe(true);
      }
      // Each attempt plan names its state.
      for (const [name, plan] of p.tasks) expect(plan.state).toBe(name);
    },
  );

  it("has Distributed Maps and subflows to check among those flows", () => {
    const prepared = [everything, crossBranch, sumOfSquares, largeMap].map(prepare);
    expect(prepared.some((p) => p.distributed.size > 0 && p.subflows.size > 0)).toBe(true);
    expect(prepared.filter((p) => p.distributed.size > 0).length).toBeGreaterThanOrEqual(2);
  });
});

/** Sorts rows like `rows` (the walk's order). */
function byName(rows: readonly unknown[][]): (a: unknown[], b: unknown[]) => number {
  const order = rows.map((r) => r[0]);
  return (a, b) => order.indexOf(a[0]) - order.indexOf(b[0]);
}
