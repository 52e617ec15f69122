import { describe, expect, it } from "vitest";
import { criticalPath, makespan, type Schedule, spSchedule } from "../../sdk/compile/private/sp-schedule.ts";
import { compile } from "../../sdk/index.ts";
import { bigChain, bigDag, rng } from "../support/random-flows.ts";

/** Start time of every node when the schedule runs with `duration`: sequences wait, branches don't. */
function starts(s: Schedule<number>, duration: (n: number) => number, at = 0, out = new Map<number, number>()) {
  if (s.kind === "node") {
    out.set(s.node, at);
    return { end: at + duration(s.node), out };
  }
  let end = at;
  for (const part of s.kind === "seq" ? s.items : s.branches) {
    const done = starts(part, duration, s.kind === "seq" ? end : at, out).end;
    end = s.kind === "seq" ? done : Math.max(end, done);
  }
  return { end, out };
}

/** Asserts every node is scheduled once and starts after everything it waits for has finished. */
function expectRespects(s: Schedule<number>, deps: readonly (readonly number[])[], durations: readonly number[]) {
  const { out } = starts(s, (n) => durations[n]);
  expect(out.size).toBe(deps.length);
  deps.forEach((ds, i) => {
    for (const d of ds) expect(out.get(i)!).toBeGreaterThanOrEqual(out.get(d)! + durations[d] - 1e-9);
  });
}

/**
 * A random series-parallel DAG of about `n` nodes: parts composed side by side, or in sequence
 * with every sink of the first part feeding every source of the second.
 */
function randomSeriesParallel(n: number, seed: number): number[][] {
  const r = rng(seed);
  const deps: number[][] = [];
  const build = (size: number): { sources: number[]; sinks: number[] } => {
    if (size <= 1) {
      deps.push([]);
      return { sources: [deps.length - 1], sinks: [deps.length - 1] };
    }
    const left = 1 + Math.floor(r() * (size - 1));
    const a = build(left);
    if (r() < 0.5) {
      const b = build(size - left);
      return { sources: [...a.sources, ...b.sources], sinks: [...a.sinks, ...b.sinks] };
    }
    const b = build(size - left);
    for (const s of b.sources) deps[s].push(...a.sinks);
    return { sources: a.sources, sinks: b.sinks };
  };
  build(n);
  return deps;
}

describe("scheduler at scale", () => {
  it.each([[50, 1], [400, 2], [3000, 3]])(
    "schedules a %i-node series-parallel DAG exactly: makespan equals the critical path",
    (n, seed) => {
      const deps = randomSeriesParallel(n, seed);
      const r = rng(seed + 100);
      const durations = deps.map(() => 1 + r() * 9);
      const ids = deps.map((_, i) => i);
      const s = spSchedule(ids, (i) => deps[i]);
      expectRespects(s, deps, durations);
      const critical = criticalPath(ids, (i) => deps[i], (i) => durations[i]);
      expect(makespan(s, (i) => durations[i])).toBeCloseTo(critical, 9);
    },
  );

  it.each([
    ["uniform", undefined],
    ["local", 10],
  ])("keeps every dependency of 1,000-node %s random DAGs and stays within 1.5x the critical path", (_, window) => {
    let ratio = 0;
    for (const seed of [1, 2, 3]) {
      const dag = bigDag(1000, seed, window);
      const ids = dag.deps.map((_, i) => i);
      const s = spSchedule(ids, (i) => dag.deps[i]);
      expectRespects(s, dag.deps, dag.durations);
      ratio += makespan(s, (i) => dag.durations[i]) / criticalPath(ids, (i) => dag.deps[i], (i) => dag.durations[i]);
    }
    expect(ratio / 3).toBeLessThanOrEqual(1.5);
  });

  it("compiles a 3,000-task chain to one Next chain with no Parallel state", () => {
    const { definition } = compile(bigChain(3000));
    const names = Object.keys(definition.States);
    expect(names).toHaveLength(3000);
    let name: string | undefined = definition.StartAt;
    let visited = 0;
    while (name) {
      const state: (typeof definition.States)[string] = definition.States[name];
      expect(state.Type).toBe("Task");
      visited++;
      name = "Next" in state ? state.Next : undefined;
    }
    expect(visited).toBe(3000);
  });
});
