import type { GraphFlow } from "../graph/types.ts";
import { stateMachineName } from "../core/deploy-names.ts";
import { FlowDefinitionError } from "../core/errors.ts";
import { sourcesOf } from "../graph/sources.ts";
import type { Condition, FlowGraph, MapGroup, TaskCall } from "../graph/types.ts";
import type { OutputHint, OutputShape } from "../core/protocol.ts";
import type { StateMachineDefinition } from "./asl.ts";
import { type BlockFacts, outputShape, shapeAt, TopBlock } from "./private/blocks.ts";
import type { EmitContext } from "./private/emit-context.ts";
import { Emitter } from "./private/emitter.ts";
import { uniqueName } from "./private/unique-name.ts";
import { Liveness } from "./private/liveness.ts";
import { collecting } from "./private/locate.ts";
import { assignItemBudgets } from "./private/item-budget.ts";
import { switchable } from "./private/map-switch.ts";
import { assignShares } from "./private/shares.ts";
import { flowPlaceholder, taskPlaceholder } from "./private/states.ts";
import { KeySet } from "./private/key-set.ts";
import { GraphIndex } from "./private/units.ts";
import { stateIndex } from "./private/state-index.ts";
import { HANDLER_GRACE_SECONDS } from "../core/limits.ts";
import type { CompiledFlow, CompiledState, CompiledTask } from "./types.ts";
import type { Json } from "../core/json.ts";

/** Options of `compile`. */
export interface CompileOptions {
  /**
   * `aws` compiles for Step Functions (and `runLocal`, which runs Distributed Maps itself). `local`
   * compiles for a bare engine without Distributed Maps (aws-local-stepfunctions as it is): large
   * maps become inline Maps over the same items, and no Map switches to a Distributed Map at run time.
   * @default "aws"
   */
  readonly target?: "aws" | "local";
}

/**
 * Compiles a flow to an Amazon States Language definition. Pure and deterministic: the same
 * flow always gives the same definition.
 * @throws FlowDefinitionError listing every problem of the flow.
 * @example const { definition } = compile(toTheMoon);
 */
export function compile(flow: GraphFlow, options: CompileOptions = {}): CompiledFlow {
  const graph = flow.graph();
  const facts = factsFor(graph, options.target ?? "aws");
  const ctx: EmitContext = {
    ...facts,
    flow: flow.flowName,
    names: new Set(graph.calls.map((c) => c.state)),
    hints: outputHints(graph, facts),
    constants: {},
    distributedMaps: [],
    liveness: new Liveness(readers(graph, facts.index)),
    taskStates: new Map(),
    maps: new Map(),
    states: new Map(),
    switched: (g: MapGroup) => options.target !== "local" && switchable(g, graph.groups, facts),
    problems: [],
  };
  const emitted = emitMachine(flow, ctx, new TopBlock(facts));
  const { output } = emitted;
  const machine = Object.keys(ctx.constants).length
    ? withConstants(emitted.machine, ctx.constants, ctx.names)
    : emitted.machine;
  const definition: StateMachineDefinition = {
    Comment: flow.options.description || `stepflow flow ${flow.flowName}`,
    ...machine,
    ...(flow.options.timeoutSeconds ? { TimeoutSeconds: Math.ceil(flow.options.timeoutSeconds) } : {}),
  };
  const states = stateIndex(flow.flowName, machine, ctx.states);
  return {
    flow: flow.flowName,
    stateMachineName: stateMachineName(flow.flowName),
    // A JSON round trip drops undefined fields so the definition is exactly what AWS receives.
    definition: JSON.parse(JSON.stringify(definition)),
    tasks: compiledTasks(graph, states),
    subflows: [
      ...new Set(graph.calls.flatMap((c) => (c.kind === "subflow" ? [c.flow.flowName] : []))),
    ].map((name) => ({ flow: name, placeholder: flowPlaceholder(name) })),
    output,
    states,
    distributedMaps: ctx.distributedMaps,
    usesResultsBucket: ctx.distributedMaps.length > 0,
  };
}

/**
 * The flow's states and output shape. A wiring problem does not stop emission (the emitter puts a
 * stand-in in place of the state it is in): every problem is thrown at once in a FlowDefinitionError.
 */
function emitMachine(
  flow: GraphFlow,
  ctx: EmitContext,
  top: TopBlock,
): { output: OutputShape; machine: StateMachineDefinition } {
  const graph = flow.graph();
  const result = collecting(ctx.problems, undefined, () =>
    graph.result?.kind === "node" ? top.locate(graph.result.node) : undefined,
  );
  const machine = collecting(ctx.problems, undefined, () =>
    new Emitter(ctx, top, new KeySet(), new Set()).machine(ctx.index.units([]), result?.path),
  );
  // An `internal` problem after another is a consequence of its stand-in state, not a compiler bug.
  const wrong = ctx.problems.some((p) => p.kind !== "internal")
    ? ctx.problems.filter((p) => p.kind !== "internal")
    : ctx.problems;
  if (wrong.length || !machine) throw new FlowDefinitionError(`flow \`${flow.flowName}\` (${flow.site})`, wrong);
  assignShares(ctx.liveness, ctx.taskStates, ctx.maps);
  assignItemBudgets(machine, ctx.taskStates, ctx.maps);
  return { output: shapeAt(result), machine };
}

const shapes = new WeakMap<GraphFlow, Map<string, OutputShape>>();

function factsFor(graph: FlowGraph, target: "aws" | "local"): BlockFacts {
  return {
    index: new GraphIndex(graph),
    distributed: (g: MapGroup) => g.large && target === "aws",
    childOutput: (child: GraphFlow) => {
      const byTarget = shapes.get(child) ?? new Map<string, OutputShape>();
      shapes.set(child, byTarget);
      let shape = byTarget.get(target);
      if (!shape) {
        const childGraph = child.graph();
        shape = outputShape(factsFor(childGraph, target), childGraph.result);
        byTarget.set(target, shape);
      }
      return shape;
    },
  };
}

/** What each producer's handler must do with its result for its consumers. */
function outputHints(graph: FlowGraph, facts: BlockFacts): Map<string, OutputHint[]> {
  const hints = new Map<string, Set<OutputHint>>();
  const add = (node: string, hint: OutputHint): void => {
    const w = facts.index.whens.get(node);
    if (w) return branchValueNodes(w).forEach((n) => add(n, hint));
    const call = facts.index.calls.get(node);
    if (call?.kind !== "task" || call.map) return;
    hints.set(node, (hints.get(node) ?? new Set()).add(hint));
  };
  for (const c of graph.conditions) if (c.source.kind === "node") add(c.source.node, "boolean");
  for (const g of graph.groups) {
    g.lists.forEach((l, i) => {
      if (l.source.kind === "node") add(l.source.node, facts.distributed(g) && i === 0 ? "stored" : "items");
    });
  }
  for (const call of graph.calls) {
    if (call.kind !== "subflow") continue;
    for (const s of sourcesOf(call)) if (s.kind === "node") add(s.node, "inline");
  }
  return new Map([...hints].map(([k, v]) => [k, [...v].sort()]));
}

/** Result keys each reader (call, condition, or the flow result) reads. */
function readers(graph: FlowGraph, index: GraphIndex): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const read = (reader: string, node: string) => {
    const keys = out.get(reader) ?? new Set<string>();
    const group = index.groupOf(node);
    const readerGroup = index.groupOf(reader);
    keys.add(node);
    if (group && group !== readerGroup) keys.add(group.id);
    // A `when`'s value is its branches' results: they stay live until the value's readers ran.
    const w = index.whens.get(node);
    if (w) for (const n of branchValueNodes(w)) keys.add(n);
    out.set(reader, keys);
  };
  for (const call of graph.calls) {
    for (const s of sourcesOf(call)) if (s.kind === "node") read(call.id, s.node);
  }
  for (const c of graph.conditions) if (c.source.kind === "node") read(c.id, c.source.node);
  if (graph.result?.kind === "node") read("result", graph.result.node);
  return out;
}

function withConstants(
  machine: StateMachineDefinition,
  constants: Record<string, Json>,
  names: Set<string>,
): StateMachineDefinition {
  const name = uniqueName(names, "constants");
  return {
    StartAt: name,
    States: {
      [name]: { Type: "Pass", Result: constants, ResultPath: "$.constants", Next: machine.StartAt },
      ...machine.States,
    },
  };
}

function compiledTasks(graph: FlowGraph, index: Readonly<Record<string, CompiledState>>): CompiledTask[] {
  // One pass, appending in place: a task called n times costs O(n), not O(n^2) copies.
  const byName = new Map<string, { call: TaskCall; states: string[]; secrets: Set<string> }>();
  for (const call of graph.calls) {
    if (call.kind !== "task") continue;
    let seen = byName.get(call.task.taskName);
    if (!seen) byName.set(call.task.taskName, (seen = { call, states: [], secrets: new Set() }));
    for (const s of graph.secrets[call.id] ?? []) seen.secrets.add(s);
  }
  // The states the index has: a call's state, and its copy in a switched Map's Distributed Map.
  for (const [name, state] of Object.entries(index)) if (state.kind === "task") byName.get(state.task)?.states.push(name);
  return [...byName.values()].map(({ call, states, secrets }) => ({
    name: call.task.taskName,
    task: call.task,
    placeholder: taskPlaceholder(call.task.taskName),
    states,
    secrets: [...secrets].sort(),
    lambdaTimeoutSeconds: call.task.options.timeoutSeconds + HANDLER_GRACE_SECONDS,
    memory: call.task.options.memory,
  }));
}

/** The calls whose results are a `when`'s value (one per branch that returns one). */
export function branchValueNodes(w: Condition): string[] {
  return [w.values.then, w.values.else].flatMap((v) => (v?.kind === "node" ? [v.node] : []));
}
