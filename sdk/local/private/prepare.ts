/**
 * A flow made ready for the local engine: compiled for the `local` target (Distributed Maps
 * become inline Maps over the same items), placeholders substituted, and its states indexed so
 * each run binds handlers without walking the definition again. Its Lambda Task states are
 * retried by the local retry driver (task-attempts.ts), not by the engine. Cached per flow object.
 */
// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+); this maintained es-shims
// polyfill provides it on Node 20. Imported first so it is installed before any run.
import "promise.withresolvers/auto";
import { StateMachine } from "aws-local-stepfunctions";
import type { StateMachineDefinition, TaskState } from "../../compile/asl.ts";
import { compile } from "../../compile/compile.ts";
import { localSubstitutions, substitute } from "../../compile/substitute.ts";
import type { CompiledFlow } from "../../compile/types.ts";
import type { GraphFlow } from "../../graph/types.ts";
import { ITEMS_PATH, type LocalDistributedMap, localDistributedMap, NO_TIMEOUT_SECONDS } from "./distributed-map.ts";
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
  /** Task states that invoke a task, with the retry policy and attempt timeout the compiler emitted. */
  readonly tasks: ReadonlyMap<string, Omit<AttemptPlan, "state">>;
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
  const tasks = new Map<string, Omit<AttemptPlan, "state">>();
  const subflows = new Map<string, GraphFlow>();
  const maps = new Map<string, MapInfo>();
  const distributed = new Map<string, LocalDistributedMap>();
  // Found before the Distributed Maps' stand-ins take their place: their iterations' states too.
  const lambdaStates = taskStatesOf(definition, compiled.states);
  for (const [name, state] of Object.entries(compiled.states)) {
    if (state.kind === "map") {
      const itemsPath = state.distributed ? ITEMS_PATH : state.itemsPath;
      maps.set(name, { itemsPath, task: state.tasks[0] ?? name, tasks: state.tasks });
      if (state.distributed) distributed.set(name, standIn(definition, name, state.tasks));
      continue;
    }
    if (state.kind === "map-switch") continue;
    if (state.kind === "subflow") subflows.set(name, state.flow);
    else tasks.set(name, { retry: state.retry, timeoutSeconds: state.timeoutSeconds });
  }
  waitForSubflows(definition, subflows);
  // Validated once here, like CreateStateMachine on AWS: the engine validates in the constructor
  // only, so runs of this machine (and the Map and Parallel machines it builds) skip the 50-200 ms.
  // A definition validated in an earlier process is not validated again (validated-definitions.ts).
  const validated = validatedBefore(definition);
  if (!validated.known) {
    new StateMachine(definition as never);
    validated.remember();
  }
  leaveRetriesToDriver(lambdaStates);
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${compiled.stateMachineName}`;
  return { flow, compiled, definition, machine, tasks, subflows, maps, distributed, stateMachineArn };
}

/** Replaces Distributed Map `name` in `d` (or a Parallel branch of it) by its local stand-in. */
function standIn(d: StateMachineDefinition, name: string, tasks: readonly string[]): LocalDistributedMap {
  const state = d.States[name];
  if (state?.Type === "Map") {
    const local = localDistributedMap(name, state, tasks);
    d.States[name] = local.task;
    return local;
  }
  for (const s of Object.values(d.States)) {
    if (s.Type !== "Parallel") continue;
    for (const b of s.Branches) if (b.States[name] || hasState(b, name)) return standIn(b, name, tasks);
  }
  throw new Error(`Distributed Map \`${name}\` is not in the definition; this is a stepflow bug, please report it`);
}

function hasState(d: StateMachineDefinition, name: string): boolean {
  return Object.values(d.States).some((s) => s.Type === "Parallel" && s.Branches.some((b) => name in b.States || hasState(b, name)));
}

/** Gives each subflow state of `d` (nested ones included) AWS's wait-as-long-as-the-child-runs. */
function waitForSubflows(d: StateMachineDefinition, subflows: ReadonlyMap<string, GraphFlow>): void {
  for (const [name, state] of Object.entries(d.States)) {
    if (state.Type === "Parallel") state.Branches.forEach((b) => waitForSubflows(b, subflows));
    if (state.Type === "Map") waitForSubflows(state.ItemProcessor, subflows);
    if (state.Type === "Task" && subflows.has(name)) state.TimeoutSeconds ??= NO_TIMEOUT_SECONDS;
  }
}

/** The Lambda Task states of `d` (the index's `task` states), nested ones (Parallel branches, Map iterations) included. */
function taskStatesOf(d: StateMachineDefinition, index: CompiledFlow["states"]): TaskState[] {
  return Object.entries(d.States).flatMap(([name, state]): TaskState[] => {
    if (state.Type === "Parallel") return state.Branches.flatMap((b) => taskStatesOf(b, index));
    if (state.Type === "Map") return taskStatesOf(state.ItemProcessor, index);
    return state.Type === "Task" && index[name]?.kind === "task" ? [state] : [];
  });
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
