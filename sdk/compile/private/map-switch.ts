/**
 * The run-time choice between an inline Map and a Distributed Map. How long a task's list is, is
 * known only when it runs: its producer returns `{ items }` for an inline Map when the list fits
 * the item budget and the state data, and otherwise stores the whole list where the Distributed
 * Map's ItemReader reads it (`TaskRequest.spill`), so a list of any length runs without a
 * `large: true` annotation. The inline path costs no extra state: the producer's `Catch` leads to
 * the Distributed Map (a Choice only when the producer sits in another branch).
 */
import type { MapGroup } from "../../graph/types.ts";
import { LIST_STORED_ERROR, runPrefix } from "../../core/protocol.ts";
import type { ChoiceState, MapState, State, StateMachineDefinition, TaskState } from "../asl.ts";
import type { BlockFacts } from "./blocks.ts";
import type { MapParent } from "./emit-context.ts";
import { uniqueName } from "./unique-name.ts";
import { WiringProblem } from "./locate.ts";
import { mapState } from "./map-state.ts";
import type { Unit } from "./units.ts";

type MapUnit = Extract<Unit, { kind: "map" }>;

/**
 * A switched Map: both Map states (the same `ResultPath`), and how the run picks one. `catch`: the
 * producer's Task state catches `LIST_STORED_ERROR` into the Distributed Map and otherwise goes on
 * to the inline Map, so the inline path has no extra state. `choice`: the producer is in another
 * branch (a Parallel's), so a Choice after it tests which envelope it returned.
 */
export interface MapSwitch {
  readonly inline: MapState;
  readonly distributed: MapState;
  /** The producer's Task state (it gets the `Catch` in `catch` mode). */
  readonly producer: TaskState;
  /** The Choice, in `choice` mode. */
  readonly choice?: ChoiceState;
  /** State names of the Distributed Map's iteration are these suffixed (they must be unique in the machine). */
  readonly suffix: string;
}

const SUFFIX = " (distributed)";
/** Step Functions' longest state name. */
const MAX_STATE_NAME = 80;

/**
 * Whether `group` can switch at run time: a Map over one list a task returns, not declared large,
 * whose rows no other Map iterates (an inline Map cannot iterate a Distributed Map's manifest;
 * task arguments, `lists` and the flow result read either form).
 */
export function switchable(group: MapGroup, groups: readonly MapGroup[], facts: BlockFacts): boolean {
  if (group.large || group.lists.length !== 1) return false;
  const source = group.lists[0].source;
  if (source.kind !== "node" || facts.index.groupOf(source.node)) return false;
  if (facts.index.calls.get(source.node)?.kind !== "task") return false;
  return !groups.some(
    (g) => g !== group && g.lists.some((l) => l.source.kind === "node" && group.members.includes(l.source.node)),
  );
}

/**
 * The states of a switched Map in `parent`'s block. The Distributed Map is built first so that the
 * inline Map's Task states are the ones `assignShares` and the item budget see.
 */
export function mapSwitch(parent: MapParent & { readonly states: Readonly<Record<string, State>> }, unit: MapUnit): MapSwitch {
  const node = producerOf(unit);
  const producer = parent.ctx.taskStates.get(node);
  if (!producer?.Parameters) {
    throw new WiringProblem("internal", `the list of \`${unit.members[0].state}.map(...)\` has no producing task state; this is a compiler bug, please report it`);
  }
  // Known before the task runs, so the ItemReader can name it: the run id and the producer's id.
  const key = `States.Format('${runPrefix(parent.ctx.flow, "{}")}lists/${node}.json', ${parent.block.runPath})`;
  const distributed = mapState(parent, unit, "distributed");
  distributed.ItemReader!.Parameters = { ...distributed.ItemReader!.Parameters, "Key.$": key };
  const rename = (name: string) => {
    const to = uniqueName(parent.ctx.names, `${name.slice(0, MAX_STATE_NAME - SUFFIX.length)}${SUFFIX}`);
    // The copy is the same task state under another name (`CompiledFlow.states`).
    const known = parent.ctx.states.get(name);
    if (known) parent.ctx.states.set(to, known);
    return to;
  };
  distributed.ItemProcessor = { ...distributed.ItemProcessor, ...renamed(distributed.ItemProcessor, rename) };
  const inline = mapState(parent, unit, "inline");
  const inBlock = Object.values(parent.states).includes(producer);
  producer.Parameters.spill = inBlock ? "error" : "envelope";
  producer.Parameters["spillKey.$"] = key;
  if (inBlock) {
    // Never retried: it is the way to the Distributed Map, not a failure.
    producer.Retry = [{ ErrorEquals: [LIST_STORED_ERROR], MaxAttempts: 0 }, ...(producer.Retry ?? [])];
    return { inline, distributed, producer, suffix: SUFFIX };
  }
  const choice: ChoiceState = {
    Type: "Choice",
    Choices: [{ Variable: inline.ItemsPath!, IsPresent: true, Next: "" }],
    Default: "",
  };
  return { inline, distributed, producer, choice, suffix: SUFFIX };
}

/** Sends the producer's `LIST_STORED_ERROR` to the Distributed Map `target` (`catch` mode). */
export function catchStoredList(producer: TaskState, resultPath: string, target: string): void {
  producer.Catch = [{ ErrorEquals: [LIST_STORED_ERROR], ResultPath: resultPath, Next: target }, ...(producer.Catch ?? [])];
}

/** `d` with every state renamed by `rename` (keys, `StartAt`, `Next`, `Default`, Choice targets). */
function renamed(d: StateMachineDefinition, rename: (name: string) => string): StateMachineDefinition {
  const names = new Map(Object.keys(d.States).map((n) => [n, rename(n)]));
  const to = (n: string) => names.get(n) ?? n;
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(d.States)) {
    const s = { ...state } as State & { Next?: string };
    if (s.Next) s.Next = to(s.Next);
    if (s.Type === "Choice") {
      s.Choices = s.Choices.map((c) => ({ ...c, Next: to(c.Next) }));
      if (s.Default) s.Default = to(s.Default);
    }
    states[to(name)] = s;
  }
  return { StartAt: to(d.StartAt), States: states };
}

/** The node whose list a switched Map iterates. */
export function producerOf(u: MapUnit): string {
  const source = u.group.lists[0].source;
  if (source.kind !== "node") throw new WiringProblem("internal", `\`${u.group.id}\` does not map over a task's list`);
  return source.node;
}
