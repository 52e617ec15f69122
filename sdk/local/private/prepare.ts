/**
 * A flow made ready for the local engine: compiled for the `local` target (Distributed Maps
 * become inline Maps over the same items), placeholders substituted, and its states indexed so
 * each run binds handlers without walking the definition again. Its Lambda Task states are
 * retried by the local retry driver (task-attempts.ts), not by the engine. Cached per flow object.
 */
// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+), which with-resolvers.ts
// provides on Node 20. Imported first so it is installed before any run.
import "./with-resolvers.ts";
import { StateMachine } from "aws-local-stepfunctions";
import { type NestedState, nestedStates, type StateMachineDefinition, type TaskState } from "../../compile/asl.ts";
import { compile } from "../../compile/compile.ts";
import { localSubstitutions, substitute } from "../../compile/substitute.ts";
import type { CompiledFlow } from "../../compile/types.ts";
import type { GraphFlow } from "../../graph/types.ts";
import { ITEMS_PATH, type LocalDistributedMap, localDistributedMap, NO_TIMEOUT_SECONDS } from "./distributed-map.ts";
import { sinkable } from "./engine-events.ts";
import type { AttemptPlan } from "./task-attempts.ts";
import { validatedBefore } from "./validated-definitions.ts";

/** A Map state: where its items are and which task state names it in progress lines. */
export interface MapInfo {
  readonly itemsPath: string | undefined;
  readonly task: string;
  /** Every task state of its iteration, in definition order. */
  readonly tasks: readonly string[];
}

export interface PreparedFlow {
  readonly flow: GraphFlow;
  readonly compiled: CompiledFlow;
  readonly definition: StateMachineDefinition;
  readonly machine: StateMachine;
  /**
   * Every state of `definition`, the Distributed Maps' iterations included (found before their
   * stand-ins took their place; the stand-ins run these very objects).
   */
  readonly states: readonly NestedState[];
  /** Task states that invoke a task, with the retry policy and attempt timeout the compiler emitted. */
  readonly tasks: ReadonlyMap<string, AttemptPlan>;
  /** Task states that start a subflow, with the child flow. */
  readonly subflows: ReadonlyMap<string, GraphFlow>;
  readonly maps: ReadonlyMap<string, MapInfo>;
  /** Distributed Map states, each standing in the definition as a Task state the runner binds. */
  readonly distributed: ReadonlyMap<string, LocalDistributedMap>;
  readonly stateMachineArn: string;
}

const REGION = "us-east-1";
const ACCOUNT = "000000000000";

const cache = new WeakMap<GraphFlow, PreparedFlow>();

/** The prepared flow, built once per flow object (the compiler is pure, so this is safe to share). */
export function prepare(flow: GraphFlow): PreparedFlow {
  let prepared = cache.get(flow);
  if (!prepared) {
    prepared = build(flow);
    cache.set(flow, prepared);
  }
  return prepared;
}

function build(flow: GraphFlow): PreparedFlow {
  // The definition AWS runs: Distributed Maps run here too (distributed-map.ts).
  const compiled = compile(flow);
  const values = localSubstitutions(compiled, REGION, ACCOUNT);
  const definition = substitute(compiled.definition, values);
  // What each state is comes from the compiler's index, not from reading the definition back.
  const tasks = new Map<string, AttemptPlan>();
  const subflows = new Map<string, GraphFlow>();
  const maps = new Map<string, MapInfo>();
  const distributed = new Map<string, LocalDistributedMap>();
  // Walked before the Distributed Maps' stand-ins take their place: their iterations' states too.
  const states = [...nestedStates(definition)];
  const at = new Map(states.map((s) => [s.name, s]));
  for (const [name, state] of Object.entries(compiled.states)) {
    if (state.kind === "map") {
      const itemsPath = state.distributed ? ITEMS_PATH : state.itemsPath;
      maps.set(name, { itemsPath, task: state.tasks[0] ?? name, tasks: state.tasks });
      if (state.distributed) distributed.set(name, standIn(name, at.get(name), state.tasks));
      continue;
    }
    if (state.kind === "map-switch") continue;
    if (state.kind === "subflow") subflows.set(name, state.flow);
    else tasks.set(name, { state: name, retry: state.retry, timeoutSeconds: state.timeoutSeconds });
  }
  waitForSubflows(taskStatesOf(states, subflows));
  // Validated once here, like CreateStateMachine on AWS: the engine validates in the constructor
  // only, so runs of this machine (and the Map and Parallel machines it builds) skip the 50-200 ms.
  // A definition validated in an earlier process is not validated again (validated-definitions.ts).
  const validated = validatedBefore(definition);
  if (!validated.known) {
    new StateMachine(definition as never);
    validated.remember();
  }
  leaveRetriesToDriver(taskStatesOf(states, tasks));
  const machine = sinkable(new StateMachine(definition as never, { validationOptions: { noValidate: true } }));
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${compiled.stateMachineName}`;
  return { flow, compiled, definition, states, machine, tasks, subflows, maps, distributed, stateMachineArn };
}

/** Puts the local stand-in of Distributed Map `map` in its place (in the definition or a Parallel branch). */
function standIn(name: string, map: NestedState | undefined, tasks: readonly string[]): LocalDistributedMap {
  if (map?.state.Type !== "Map") {
    throw new Error(`Distributed Map \`${name}\` is not in the definition; this is a stepflow bug, please report it`);
  }
  const local = localDistributedMap(name, map.state, tasks);
  map.within.States[name] = local.task;
  return local;
}

/** The Task states among `states` that `names` holds (the index's Lambda Task or subflow states). */
function taskStatesOf(states: readonly NestedState[], names: ReadonlyMap<string, unknown>): TaskState[] {
  return states.flatMap(({ name, state }) => (state.Type === "Task" && names.has(name) ? [state] : []));
}

/** Gives each subflow state AWS's wait-as-long-as-the-child-runs, wherever it is (a Distributed Map's iteration too). */
function waitForSubflows(states: readonly TaskState[]): void {
  for (const state of states) state.TimeoutSeconds ??= NO_TIMEOUT_SECONDS;
}

/**
 * Takes each Lambda Task state's retries and per-attempt timeout from the engine, after the
 * definition was validated with them as AWS validates it: the retry driver runs every attempt
 * under the state's `TimeoutSeconds` (task-attempts.ts), so the engine must neither retry nor end
 * the call early. The states are changed in place: the Distributed Maps' stand-ins share them.
 */
function leaveRetriesToDriver(states: readonly TaskState[]): void {
  for (const state of states) {
    delete state.Retry;
    state.TimeoutSeconds = NO_TIMEOUT_SECONDS;
  }
}

/** The length of the list at a simple JSONPath (`$.a.b`, `$['a b'].c`) in `input`, if it is one. */
export function listLengthAt(input: unknown, path = "$"): number | undefined {
  if (!path.startsWith("$")) return undefined;
  const keys = [...path.slice(1).matchAll(/\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\]/g)].map(
    (m) => m[1] ?? m[2] ?? m[3],
  );
  let value: unknown = input;
  for (const key of keys) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return Array.isArray(value) ? value.length : undefined;
}
