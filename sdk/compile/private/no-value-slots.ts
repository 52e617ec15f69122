/**
 * Where a `when` without a value on some branch gets its "no value" `{}` from, at no state of its
 * own. A later state reads the `when`'s value by a JSONPath, and AWS fails a state whose path
 * reaches a missing key (States.Runtime), so the key must be in state data whichever branch ran.
 * A state that writes the whole results object (`ResultPath: "$.results"` and a ResultSelector)
 * can write `{"<when id>": {}}` beside its own result: a ResultSelector may hold constants. The
 * `when`'s value task, on the branch that gives a value, then overwrites that key.
 */
import type { Json } from "../../core/json.ts";
import type { MapState, ParallelState, TaskState } from "../asl.ts";
import { replaceResults } from "./liveness.ts";
import { WiringProblem } from "./locate.ts";

/** Adds `{}` under a key to what one state writes to the results. */
export type SlotWriter = ((key: string) => void) & { readonly state: TaskState | MapState | ParallelState };

/**
 * The states that last wrote the whole results object on each path reaching a point of a block,
 * one per path; `undefined` when some path reaches it with no such state (nothing ran before it
 * in the machine), so only a Pass state can write the key there.
 */
export type SlotWriters = readonly SlotWriter[] | undefined;

/**
 * The writer of a Task or Map state that replaces the results, or that added the first key to
 * empty results (it then replaces them, which loses nothing, once a key needs it). Its own key is
 * read from its ResultPath when the slot is added: a branch's value task was renamed by then.
 */
export function resultsWriter(state: TaskState | MapState): SlotWriter {
  return writer(state, (key) => {
    if (state.ResultPath !== "$.results") replaceResults(state, ownKey(state.ResultPath));
    state.ResultSelector![key] = {};
  });
}

/** The writer of a Parallel state that merges its branches' results with a ResultSelector. */
export function mergeWriter(state: ParallelState): SlotWriter {
  return writer(state, (key) => {
    state.ResultSelector![key] = {};
  });
}

/**
 * The writer of a Parallel state's Parameters, which build each branch's input (parallel-input.ts):
 * the slot is in the branch's results from its start.
 */
export function inputWriter(state: ParallelState, slots: Record<string, Json>): SlotWriter {
  return writer(state, (key) => {
    slots[key] = {};
  });
}

/**
 * The writers left when `state` may be left by its `Catch` (a switched Map's producer): a caught
 * state writes no result, so on that path it writes no slot either.
 */
export function withoutCaught(writers: SlotWriters, state: TaskState): SlotWriters {
  return writers?.some((w) => w.state === state) ? undefined : writers;
}

function writer(state: SlotWriter["state"], write: (key: string) => void): SlotWriter {
  return Object.assign(write, { state });
}

/** The writers on every path of two or more joining paths (`undefined` if one path has none). */
export function joined(paths: readonly SlotWriters[]): SlotWriters {
  if (paths.some((p) => p === undefined)) return undefined;
  return [...new Set(paths.flatMap((p) => p!))];
}

function ownKey(resultPath: string | null | undefined): string {
  const prefix = "$.results.";
  if (!resultPath?.startsWith(prefix)) {
    throw new WiringProblem("internal", `a "no value" slot's writer has no results key in its ResultPath \`${resultPath}\`; this is a compiler bug, please report it`);
  }
  return resultPath.slice(prefix.length);
}
