/**
 * The flow graph: what building a flow body produces and what the compiler consumes.
 * Plain data, so it can be inspected, rendered (`stepflow graph`) and tested whole.
 */
import type { z } from "zod";
import type { Json } from "../core/json.ts";
import type { RuntimeTask } from "../core/runtime-task.ts";
import type { ResolvedFlowOptions, ResolvedTaskOptions } from "./options.ts";

/** A task as the graph refers to it; `task(...)` returns one (the graph stays below the define API). */
export interface GraphTask extends RuntimeTask {
  readonly options: ResolvedTaskOptions;
  /** Where the task was defined, e.g. `flows/crypto.ts:8`. */
  readonly site: string;
}

/** A flow as the graph refers to it; `flow(...)` returns one. */
export interface GraphFlow {
  readonly flowName: string;
  readonly options: ResolvedFlowOptions;
  readonly schema: z.ZodObject | undefined;
  /** Where the flow was defined. */
  readonly site: string;
  /** The validated graph; throws `FlowDefinitionError` listing every problem. */
  graph(): FlowGraph;
  /** Validates and completes (defaults) parameters; throws `ParamsError` naming every bad field. */
  parse(params: unknown): unknown;
}

/** Where a value used by a call comes from. */
export type ValueSource =
  | { readonly kind: "const"; readonly value: Json }
  | { readonly kind: "param"; readonly name: string }
  /** The output of a call; for a mapped call, the list of its per-item outputs. */
  | { readonly kind: "node"; readonly node: string }
  | { readonly kind: "secret"; readonly name: string }
  /** A plain object holding refs (`{ prices, threshold: 10 }`): each field is its own source. */
  | { readonly kind: "object"; readonly fields: Readonly<Record<string, ValueSource>> }
  /** An array or tuple holding refs (`[a, b, 3]`): each item is its own source. */
  | { readonly kind: "array"; readonly items: readonly ValueSource[] };

/** A source that is one value, not a container of sources. */
export type LeafSource = Extract<ValueSource, { kind: "const" | "param" | "node" | "secret" }>;

/** How one argument of a call is bound. */
export interface ArgBinding {
  /** `value`: passed whole; `mapped`: iterated in lockstep; `unmapped`: passed whole to every item. */
  readonly mode: "value" | "mapped" | "unmapped";
  readonly source: ValueSource;
}

/** One frame of the `when` branches a call sits in, outermost first. */
export interface ScopeFrame {
  readonly condition: string;
  readonly branch: "then" | "else";
}

/** A `.map` call's place in a map group: calls of one group run in one Map iteration. */
export interface MapMembership {
  readonly group: string;
  /** True for the call that opened the group (its mapped args are lists, not items). */
  readonly lead: boolean;
}

interface CallBase {
  /** Unique id inside the flow, also the key of its result in state data. */
  readonly id: string;
  /** State name in the compiled machine: the task or flow name, suffixed when repeated. */
  readonly state: string;
  readonly scope: readonly ScopeFrame[];
  /** Where the call was written, e.g. `flows/crypto.ts:12`. */
  readonly site: string;
}

/** A task called (or mapped) in a flow body. */
export interface TaskCall extends CallBase {
  readonly kind: "task";
  readonly task: GraphTask;
  readonly args: readonly ArgBinding[];
  readonly map?: MapMembership;
}

/** A flow called in another flow's body. */
export interface SubflowCall extends CallBase {
  readonly kind: "subflow";
  readonly flow: GraphFlow;
  readonly args: Readonly<Record<string, ValueSource>>;
}

export type Call = TaskCall | SubflowCall;

/** A `when(condition, then, otherwise)`. Its id is also the node of the value it returns. */
export interface Condition {
  readonly id: string;
  readonly source: ValueSource;
  readonly scope: readonly ScopeFrame[];
  readonly site: string;
  /** What each branch returned (`undefined`: nothing, the `when` then has no value). */
  readonly values: { readonly then?: ValueSource; readonly else?: ValueSource };
}

/** A group of mapped calls run together, depth-first, in one Map state. */
export interface MapGroup {
  readonly id: string;
  /** The lists iterated in lockstep: which lead argument each is. */
  readonly lists: readonly { readonly arg: number; readonly source: ValueSource }[];
  readonly large: boolean;
  readonly maxConcurrency: number | undefined;
  /** Call ids in the group, in call order. */
  readonly members: readonly string[];
}

/** The validated graph of one flow. */
export interface FlowGraph {
  readonly flow: string;
  readonly params: readonly string[];
  readonly calls: readonly Call[];
  readonly conditions: readonly Condition[];
  readonly groups: readonly MapGroup[];
  /** The flow's result: the value its body returned, if any. */
  readonly result: ValueSource | undefined;
  /** Secret names each call receives, by call id. */
  readonly secrets: Readonly<Record<string, readonly string[]>>;
}
