/**
 * The compile index (`CompiledFlow.states`) says what the definition does: local runs, `plan` and
 * the execution log read the index instead of the ASL, so here, and only here, the ASL is read back
 * and the two are compared for every state of many flows, both compile targets.
 */
import { describe, expect, it } from "vitest";
import { nestedStates, type State, type StateMachineDefinition } from "../../sdk/compile/asl.ts";
import { compile } from "../../sdk/compile/compile.ts";
import type { CompiledFlow, CompiledState } from "../../sdk/compile/types.ts";
import { LIST_STORED_ERROR } from "../../sdk/core/protocol.ts";
import type { GraphFlow } from "../../sdk/graph/types.ts";
import * as everyFeature from "../fixtures/every-feature.ts";
import * as limitFlows from "../fixtures/limit-flows.ts";
import * as localFlows from "../fixtures/local-flows.ts";
import * as retryFlows from "../fixtures/retry-flows.ts";
import * as whenValues from "../rehearse/fixtures/when-values.ts";

const isFlow = (v: unknown): v is GraphFlow =>
  (typeof v === "object" || typeof v === "function") && v !== null && "flowName" in v && typeof (v as GraphFlow).graph === "function";
const flows = [everyFeature, limitFlows, localFlows, retryFlows, whenValues].flatMap((m) => Object.values(m).filter(isFlow));

/** What the index should hold for `state`, read from the ASL (undefined: no entry). */
function fromAsl(state: State): Record<string, unknown> | undefined {
  const replacesResults = "ResultSelector" in state && state.ResultSelector !== undefined && state.ResultPath === "$.results";
  if (state.Type === "Map") {
    return {
      kind: "map",
      distributed: state.ItemProcessor.ProcessorConfig?.Mode === "DISTRIBUTED",
      itemsPath: state.ItemsPath,
      maxConcurrency: state.MaxConcurrency || undefined,
      replacesResults,
    };
  }
  if (state.Type !== "Task") return undefined;
  if (state.Resource.includes(":states:startExecution")) return { kind: "subflow", replacesResults };
  const p = state.Parameters as Record<string, unknown> & { share?: { bytes: number; overhead?: number; "of.$"?: string } };
  // A replacing selector's one path key is the result; its constant keys are "no value" slots `{}`.
  const selector = state.ResultPath === "$.results" ? Object.keys(state.ResultSelector ?? {}).filter((k) => k.endsWith(".$")) : [];
  return {
    kind: "task",
    task: p.task,
    retry: state.Retry ?? [],
    timeoutSeconds: state.TimeoutSeconds,
    replacesResults,
    resultKey: state.ResultPath?.startsWith("$.results.") ? state.ResultPath.slice(10) : selector[0]?.replace(/\.\$$/, ""),
    out: p.out ?? [],
    share: p.share && { bytes: p.share.bytes, overhead: p.share.overhead, perItem: p.share["of.$"] !== undefined },
    maxItems: p.maxItems,
    spill: p.spill,
    storedListTo: state.Catch?.find((c) => c.ErrorEquals.includes(LIST_STORED_ERROR))?.Next,
  };
}

/** The index entry's fields that `fromAsl` reads, absent ones as `undefined`. */
function comparable(entry: CompiledState, expected: Record<string, unknown>): Record<string, unknown> {
  const e = entry as unknown as Record<string, unknown>;
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, e[k]]));
  if (picked.share) {
    const s = picked.share as { bytes: number; overhead?: number; perItem: boolean };
    picked.share = { bytes: s.bytes, overhead: s.overhead, perItem: s.perItem };
  }
  return picked;
}

/** Every disagreement between `compiled.states` and `compiled.definition`, as lines. */
function disagreements(compiled: CompiledFlow): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  const d: StateMachineDefinition = compiled.definition;
  for (const { name, state } of nestedStates(d)) {
    seen.add(name);
    const entry = compiled.states[name];
    if (state.Type === "Choice") {
      if (entry && entry.kind !== "map-switch") lines.push(`${name}: a Choice indexed as ${entry.kind}`);
      if (entry?.kind === "map-switch") {
        const targets = [...state.Choices.map((c) => c.Next), state.Default].sort();
        if (JSON.stringify(targets) !== JSON.stringify([entry.inline, entry.distributed].sort()))
          lines.push(`${name}: the switch's targets ${JSON.stringify(targets)} differ from the index's`);
        if (compiled.states[entry.producer]?.kind !== "task") lines.push(`${name}: producer ${entry.producer} is not an indexed task`);
      }
      continue;
    }
    const expected = fromAsl(state);
    if (!expected) {
      if (entry) lines.push(`${name}: a ${state.Type} state indexed as ${entry.kind}`);
      continue;
    }
    if (!entry) {
      lines.push(`${name}: a ${expected.kind as string} state missing from the index`);
      continue;
    }
    const actual = comparable(entry, expected);
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      lines.push(`${name}: index ${JSON.stringify(actual)} but definition ${JSON.stringify(expected)}`);
  }
  for (const name of Object.keys(compiled.states)) if (!seen.has(name)) lines.push(`${name}: indexed but not in the definition`);
  return lines;
}

describe("the compile index", () => {
  it("covers switched Maps (Catch and Choice), Distributed Maps, shares, subflows and retries among its flows", () => {
    const kinds = flows.flatMap((f) => Object.values(compile(f).states));
    const tasks = kinds.filter((s) => s.kind === "task");
    expect(kinds.some((s) => s.kind === "map-switch")).toBe(true);
    expect(kinds.some((s) => s.kind === "subflow")).toBe(true);
    expect(kinds.some((s) => s.kind === "map" && s.distributed)).toBe(true);
    expect(tasks.some((t) => t.spill === "error" && t.storedListTo)).toBe(true);
    expect(tasks.some((t) => t.spill === "envelope")).toBe(true);
    expect(tasks.some((t) => t.share?.perItem)).toBe(true);
    expect(tasks.some((t) => t.maxItems !== undefined)).toBe(true);
    expect(tasks.some((t) => t.replacesResults)).toBe(true);
  });

  it.each(flows.flatMap((f) => (["aws", "local"] as const).map((target) => [f.flowName, target, f] as const)))(
    "agrees with the definition of `%s` (target %s) on every state",
    (_, target, flow) => {
      expect(disagreements(compile(flow, { target }))).toStrictEqual([]);
    },
  );

  it("names the result key of a task whose replacing selector also writes a `when`'s \"no value\" slot", () => {
    const compiled = compile(whenValues.whenSlots);
    const writers = [...nestedStates(compiled.definition)].flatMap(({ name, state }) =>
      state.Type === "Task" && state.ResultPath === "$.results" && Object.values(state.ResultSelector ?? {}).some((v) => JSON.stringify(v) === "{}")
        ? [{ name, selector: state.ResultSelector! }]
        : [],
    );
    expect(writers.length).toBeGreaterThan(0);
    for (const { name, selector } of writers) {
      // e.g. {"is_big.$": "$", "when_1": {}}: the result is under `is_big`, beside the slot.
      expect(Object.keys(selector).length, name).toBeGreaterThan(1);
      const entry = compiled.states[name];
      expect(entry?.kind === "task" ? entry.resultKey : "not a task", name).toBe(Object.keys(selector).find((k) => k.endsWith(".$"))!.slice(0, -2));
    }
  });

  it("is told apart from a definition it does not describe (the check above can fail)", () => {
    const compiled = compile(localFlows.squares);
    const definition = structuredClone(compiled.definition);
    const producer = [...nestedStates(definition)].find((s) => compiled.states[s.name]?.kind === "task" && s.state.Type === "Task" && s.state.Catch);
    expect(producer).toBeDefined();
    const task = producer!.state as Extract<State, { Type: "Task" }>;
    task.Parameters = { ...task.Parameters, maxItems: 7 };
    task.Catch = [];
    expect(disagreements({ ...compiled, definition })).toStrictEqual([
      expect.stringMatching(new RegExp(`^${producer!.name}: index .*"maxItems":\\d+.*"storedListTo":"[^"]+"\\} but definition .*"maxItems":7`)),
    ]);
  });
});
