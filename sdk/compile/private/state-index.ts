/**
 * The compile index (`CompiledFlow.states`): what the compiler emitted for each state, nested ones
 * included. The emitter registers what each state is as it builds it; the facts that later passes
 * set (shares, item budgets, a switched Map's spill and `Catch`, result keys renamed for a `when`,
 * results replaced) are taken from the emitted states once every pass has run, so the index and the
 * definition cannot disagree and nothing downstream reads them back out of the ASL.
 */
import { FlowDefinitionError } from "../../core/errors.ts";
import type { Json } from "../../core/json.ts";
import { type InlineShare, LIST_STORED_ERROR, type OutputHint } from "../../core/protocol.ts";
import { nestedStates, type State, type StateMachineDefinition, type TaskState } from "../asl.ts";
import type { CompiledState, PayloadFacts, ResultFacts } from "../types.ts";

type Kind<K extends CompiledState["kind"]> = Extract<CompiledState, { kind: K }>;

/** What the emitter registers of a state while building it; `stateIndex` completes it. */
export type EmittedState =
  | Omit<Kind<"task">, keyof ResultFacts | keyof PayloadFacts | "retry" | "timeoutSeconds">
  | Kind<"map-switch">
  | Omit<Kind<"subflow">, keyof ResultFacts>
  | Omit<Kind<"map">, keyof ResultFacts | "maxConcurrency">;

/** The index of `machine`: each state the emitter registered, with the facts of its emitted state. */
export function stateIndex(
  flow: string,
  machine: StateMachineDefinition,
  emitted: ReadonlyMap<string, EmittedState>,
): Record<string, CompiledState> {
  const states = new Map<string, State>();
  for (const { name, state } of nestedStates(machine)) states.set(name, state);
  const index: Record<string, CompiledState> = {};
  for (const [name, entry] of emitted) {
    const state = states.get(name);
    const built = state && completed(entry, state);
    if (!built) {
      const message = `the compile index names state \`${name}\` (${entry.kind}), which is not a matching state of the definition; this is a compiler bug, please report it`;
      throw new FlowDefinitionError(`flow \`${flow}\``, [{ kind: "internal", message, state: name }]);
    }
    index[name] = built;
  }
  return index;
}

function completed(entry: EmittedState, state: State): CompiledState | undefined {
  switch (entry.kind) {
    case "map-switch":
      return state.Type === "Choice" ? entry : undefined;
    case "subflow":
      return state.Type === "Task" ? { ...entry, replacesResults: replaces(state) } : undefined;
    case "map":
      if (state.Type !== "Map") return undefined;
      return {
        ...entry,
        ...(state.MaxConcurrency ? { maxConcurrency: state.MaxConcurrency } : {}),
        replacesResults: replaces(state),
      };
    case "task":
      if (state.Type !== "Task") return undefined;
      return {
        ...entry,
        // Read once every pass has run: passes after the state was built add retriers (a switched
        // Map's producer never retries a stored list). taskState() always sets TimeoutSeconds.
        retry: state.Retry ?? [],
        timeoutSeconds: state.TimeoutSeconds!,
        replacesResults: replaces(state),
        ...payloadFacts(state),
      };
  }
}

/** The `TaskRequest` fields the compiler set in a Lambda Task state's `Parameters`, and its `Catch` of a stored list. */
function payloadFacts(state: TaskState): PayloadFacts {
  const p = (state.Parameters ?? {}) as Record<string, Json | undefined>;
  const share = p.share as (InlineShare & { "of.$"?: string }) | undefined;
  const storedListTo = state.Catch?.find((c) => c.ErrorEquals.includes(LIST_STORED_ERROR))?.Next;
  return {
    resultKey: resultKey(state),
    out: (p.out as OutputHint[] | undefined) ?? [],
    ...(share ? { share: shareOf(share) } : {}),
    ...(typeof p.maxItems === "number" ? { maxItems: p.maxItems } : {}),
    ...(p.spill === "error" || p.spill === "envelope" ? { spill: p.spill } : {}),
    ...(storedListTo ? { storedListTo } : {}),
  };
}

function shareOf(share: InlineShare & { "of.$"?: string }): NonNullable<PayloadFacts["share"]> {
  const perItem = share["of.$"] !== undefined;
  return share.overhead === undefined ? { bytes: share.bytes, perItem } : { bytes: share.bytes, overhead: share.overhead, perItem };
}

/** True when a state replaces the results with its own (`ResultPath: "$.results"` and a selector). */
function replaces(s: State): boolean {
  return "ResultPath" in s && s.ResultPath === "$.results" && "ResultSelector" in s && s.ResultSelector !== undefined;
}

/**
 * The key a Task state writes its result under: `$.results.<key>`, or its replacing selector's one
 * path key (`<key>.$`; the selector's other keys are constants, a `when`'s "no value" slots `{}`).
 */
function resultKey(s: TaskState): string | undefined {
  if (s.ResultPath?.startsWith("$.results.")) return s.ResultPath.slice("$.results.".length);
  const selector = s.ResultPath === "$.results" ? Object.keys(s.ResultSelector ?? {}).filter((k) => k.endsWith(".$")) : [];
  return selector.length === 1 ? selector[0].slice(0, -".$".length) : undefined;
}
