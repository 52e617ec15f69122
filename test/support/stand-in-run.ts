/**
 * Executes a compiled definition in aws-local-stepfunctions with stand-in task handlers: each
 * Task state runs the task's plain function on inline envelopes (no stores). For compiler tests:
 * it proves the wiring (paths, Map items, Parallel merges, Choice) and counts transitions.
 */

import validator from "asl-validator";
import { StateMachine } from "aws-local-stepfunctions";
import type { CompiledFlow, Json, StateMachineDefinition } from "../../sdk/index.ts";
import { compile } from "../../sdk/index.ts";
import { localSubstitutions, substitute } from "../../sdk/compile/substitute.ts";
import type { GraphFlow } from "../../sdk/graph/types.ts";
import { withSharedAjv } from "./shared-ajv.ts";

type Env = { v: Json } | { items: Env[] } | { s3: string; bytes: number };
type Arg =
  | { v: Json }
  | { env: Env }
  | { secret: string }
  | { rows: Record<string, Env>[]; col: string }
  | { list: string; col: string };
interface Request {
  task: string;
  state: string;
  args: Arg[];
  index?: number;
  lengths?: number[];
  out?: string[];
  lists?: Record<string, Record<string, Env>[]>;
}

export interface StandInRun {
  readonly output: Json;
  /** The decoded flow result. */
  readonly result: unknown;
  /** State entries by state type (walked from the definition and the tasks that ran). */
  readonly entered: Record<string, number>;
  readonly transitions: number;
  readonly taskRuns: number;
  /** Task state names in the order they started (with map index). */
  readonly calls: string[];
  /** The largest state input or output seen, in bytes of JSON. */
  readonly maxPayloadBytes: number;
}

export interface StandInOptions {
  /** Make a state fail with this error (called once per attempt). */
  readonly fail?: (state: string) => Error | undefined;
  /** Return every result as a stored reference, as the real handler does for large values. */
  readonly stored?: boolean;
}

/** Every state machine (nested ones too) must pass asl-validator. */
export function assertValidAsl(definition: StateMachineDefinition): void {
  const { isValid, errorsText } = withSharedAjv(() => validator(JSON.parse(JSON.stringify(definition))));
  if (!isValid) throw new Error(`invalid ASL: ${errorsText("\n")}`);
}

// Compiling and asl-validator dominate a stand-in run; a flow is immutable once
// defined, so each is compiled for the local target once and validated once per process.
const compiledFlows = new WeakMap<GraphFlow, CompiledFlow>();
const validatedFlows = new WeakSet<GraphFlow>();

/** `flow` compiled for the local target, once. */
function compiledFor(flow: GraphFlow): CompiledFlow {
  let compiled = compiledFlows.get(flow);
  if (!compiled) {
    compiled = compile(flow, { target: "local" });
    compiledFlows.set(flow, compiled);
  }
  return compiled;
}

const machines = new WeakMap<CompiledFlow, StateMachine>();

/**
 * The engine's machine for `compiled`, built once: its constructor checks the definition with
 * asl-validator, which a definition passes every time once it passed.
 */
function machineOf(compiled: CompiledFlow): StateMachine {
  let machine = machines.get(compiled);
  if (!machine) {
    const definition = substitute(compiled.definition, localSubstitutions(compiled));
    machine = withSharedAjv(() => new StateMachine(definition as never));
    machines.set(compiled, machine);
  }
  return machine;
}

/** Checks `flow`'s local and AWS definitions with asl-validator, once. */
function validateOnce(flow: GraphFlow, compiled: CompiledFlow): void {
  if (validatedFlows.has(flow)) return;
  assertValidAsl(compiled.definition);
  assertValidAsl(compile(flow).definition);
  validatedFlows.add(flow);
}

/** Values the stand-in "stored" (when run with `stored: true`), by key. */
const store = new Map<string, unknown>();

function unwrap(env: Env): unknown {
  if ("s3" in env) return store.get(env.s3);
  return "items" in env ? env.items.map(unwrap) : env.v;
}

function wrap(value: unknown, stored: boolean): Env {
  if (!stored || typeof value === "boolean") return { v: value as Json };
  const key = `stored/${store.size}`;
  store.set(key, value);
  return { s3: key, bytes: JSON.stringify(value).length };
}

function resolveArg(a: Arg, req: Request): unknown {
  if ("list" in a) return req.lists![a.list].map((r) => unwrap(r[a.col]));
  if ("secret" in a) return `<secret ${a.secret}>`;
  if ("env" in a) return unwrap(a.env);
  if ("rows" in a) return a.rows.map((r) => unwrap(r[a.col]));
  return a.v;
}

/** Runs `flow` (compiled for the local target) with stand-in handlers. */
export async function standInRun(
  flow: GraphFlow,
  params: Record<string, unknown> = {},
  options: StandInOptions = {},
): Promise<StandInRun> {
  const compiled = compiledFor(flow);
  const calls: string[] = [];
  const entered: Record<string, number> = {};
  const sizes = { max: 0 };
  const run = await execute(flow, compiled, flow.parse(params) as Json, { calls, entered, sizes, options });
  const output = run as Json;
  const shape = compiled.output;
  const result =
    shape.kind === "none"
      ? null
      : shape.kind === "envelope"
        ? unwrap(output as Env)
        : (output as Record<string, Env>[]).map((r) => unwrap(r[(shape as { col: string }).col]));
  const transitions = Object.values(entered).reduce((a, b) => a + b, 0);
  return { output, result, entered, transitions, taskRuns: calls.length, calls, maxPayloadBytes: sizes.max };
}

interface Tally {
  calls: string[];
  entered: Record<string, number>;
  sizes: { max: number };
  options: StandInOptions;
}

async function execute(flow: GraphFlow, compiled: CompiledFlow, input: Json, tally: Tally): Promise<Json> {
  const { calls, entered, sizes, options } = tally;
  validateOnce(flow, compiled);
  const tasks = new Map(compiled.tasks.map((t) => [t.name, t.task]));
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  // What each state is comes from the compiler's index, as in the local runner.
  for (const [name, state] of Object.entries(compiled.states)) {
    if (state.kind === "subflow") {
      const child = state.flow;
      handlers[name] = async (req) => {
        const { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: _, ...params } = (
          req as { Input: Record<string, Json> }
        ).Input;
        const output = await execute(child, compiledFor(child), child.parse(params) as Json, tally);
        return { ExecutionArn: `arn:local:${child.flowName}`, Output: output };
      };
      continue;
    }
    if (state.kind !== "task") continue;
    handlers[name] = async (raw) => {
      const req = raw as unknown as Request;
      calls.push(req.index === undefined ? req.state : `${req.state}[${req.index}]`);
      if (req.lengths && new Set(req.lengths).size > 1) throw new Error(`lengths differ: ${req.lengths}`);
      const error = options.fail?.(req.state);
      if (error) throw error;
      const value = (await tasks.get(req.task)!.fn(...req.args.map((a) => resolveArg(a, req)))) ?? null;
      if (req.out?.includes("boolean") && typeof value !== "boolean")
        throw new Error(`${req.state} is not boolean`);
      const stored = options.stored === true;
      if (req.out?.includes("items"))
        return { items: (value as Json[]).map((v) => wrap(v, stored)) } as Json;
      return wrap(value, stored) as Json;
    };
  }
  const machine = machineOf(compiled);
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: allZero(compiled) },
    context: { Execution: { Name: "stand-in-run", Id: "arn:local:execution" }, State: { RetryCount: 0 } },
  });
  // aws-local-stepfunctions drops nested events when a branch closes first, so payload sizes are
  // read from the events it does deliver, and transitions are walked from the definition.
  const sizing = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === "StateEntered" || event.type === "StateExited") {
        const size = JSON.stringify(
          event.type === "StateEntered" ? event.state.input : (event.state.output ?? null),
        ).length;
        sizes.max = Math.max(sizes.max, size);
      }
    }
  })();
  const output = await execution.result;
  await sizing;
  const ran = new Map<string, number>();
  for (const c of calls) {
    const name = c.replace(/\[\d+\]$/, "");
    ran.set(name, (ran.get(name) ?? 0) + 1);
  }
  walk(compiled.definition, ran, entered);
  return output;
}

/** A zero retry interval for each Task state (Lambda or subflow) the compiler indexed. */
function allZero(compiled: CompiledFlow): Record<string, number> {
  const tasks = Object.entries(compiled.states).filter(([, s]) => s.kind === "task" || s.kind === "subflow");
  return Object.fromEntries(tasks.map(([name]) => [name, 0]));
}

/**
 * Counts state entries along the path a run took: Choice follows the branch whose first task ran;
 * a Map iteration is walked once per time its first task ran (iterations take one path).
 * `ran` counts the runs (first attempts) of each state by name.
 */
export function walk(
  def: StateMachineDefinition,
  ran: ReadonlyMap<string, number>,
  entered: Record<string, number>,
  times = 1,
): void {
  const firstTask = (d: StateMachineDefinition, name: string): string => {
    const s = d.States[name];
    if (s.Type === "Map") return firstTask(s.ItemProcessor, s.ItemProcessor.StartAt);
    if (s.Type === "Parallel") return firstTask(s.Branches[0], s.Branches[0].StartAt);
    return name;
  };
  let name: string | undefined = def.StartAt;
  while (name) {
    const state: StateMachineDefinition["States"][string] = def.States[name];
    entered[state.Type] = (entered[state.Type] ?? 0) + times;
    if (state.Type === "Map") {
      const iterations = ran.get(firstTask(state.ItemProcessor, state.ItemProcessor.StartAt)) ?? 0;
      if (iterations) walk(state.ItemProcessor, ran, entered, iterations);
    }
    if (state.Type === "Parallel") for (const b of state.Branches) walk(b, ran, entered, times);
    if (state.Type === "Choice") {
      const then: string = state.Choices[0].Next;
      name =
        (ran.get(firstTask(def, then)) ?? 0) > 0 || def.States[then].Type === "Choice" ? then : state.Default;
      continue;
    }
    name = "Next" in state ? state.Next : undefined;
  }
}
