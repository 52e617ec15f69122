import type { GraphFlow, GraphTask } from "../graph/types.ts";
import type { OutputHint, OutputShape } from "../core/protocol.ts";
import type { Retrier, StateMachineDefinition } from "./asl.ts";

/**
 * What the compiler emitted for one state of the machine (nested ones included), so the local
 * runner, \`stepflow plan\` and others need not read it back out of the ASL.
 */
export type CompiledState =
  /** A Lambda Task state: one call of \`task\`, with the retry policy emitted for it. */
  | {
      readonly kind: "task";
      readonly task: string;
      /** The call's id in the flow graph. */
      readonly call: string;
      readonly retry: readonly Retrier[];
      /** The state's `TimeoutSeconds`: one attempt's limit (the task's `timeout`, the handler's grace and the invoke margin). */
      readonly timeoutSeconds: number;
      /** The map group whose iteration runs it, if any. */
      readonly group?: string;
    } & ResultFacts &
      PayloadFacts
  /**
   * The Choice between a switched Map's inline and Distributed copies (map-switch.ts), when the
   * list's producer runs in another branch: the run takes the inline Map when \`producer\` (a Task
   * state's name) returned its items, the Distributed one when it stored the list.
   */
  | { readonly kind: "map-switch"; readonly producer: string; readonly inline: string; readonly distributed: string }
  /** A \`startExecution.sync\` Task state running \`flow\` as a subflow. */
  | ({ readonly kind: "subflow"; readonly flow: GraphFlow; readonly call: string } & ResultFacts)
  /** A Map state running map group \`group\`; \`tasks\` are its iteration's Task states, in order. */
  | ({
      readonly kind: "map";
      readonly group: string;
      readonly distributed: boolean;
      readonly itemsPath: string | undefined;
      readonly tasks: readonly string[];
      /** The state's `MaxConcurrency` (0 or absent: no limit). */
      readonly maxConcurrency?: number;
    } & ResultFacts);

/** Where a state writes its result in the state data. */
export interface ResultFacts {
  /**
   * True when the state replaces the whole results with its own (`ResultPath: "$.results"` and a
   * selector): every earlier result is dead, so the results after it hold only its result (and any `when` "no value" slots `{}` its selector writes).
   */
  readonly replacesResults: boolean;
}

/**
 * What a Lambda Task state's handler is told to do with its result (the `TaskRequest` fields the
 * compiler set in its `Parameters`), and where its list goes when it is too long for its Map.
 */
export interface PayloadFacts {
  /** The key under `$.results` (or of its replacing selector) that holds its result, if it writes one. */
  readonly resultKey: string | undefined;
  /** What its consumers need of the result (`TaskRequest.out`). */
  readonly out: readonly OutputHint[];
  /**
   * Its share of the state data budget (`TaskRequest.share`), where the defaults could overflow it;
   * `perItem`: a Map row's column, divided by the Map's item count at run time.
   */
  readonly share?: { readonly bytes: number; readonly overhead?: number; readonly perItem: boolean };
  /** Most items its `items` list may have for its inline Map (`TaskRequest.maxItems`). */
  readonly maxItems?: number;
  /** How its list reaches the Distributed Map when it is too long for the inline one (`TaskRequest.spill`). */
  readonly spill?: "error" | "envelope";
  /** Where its `Catch` of `LIST_STORED_ERROR` goes (`spill: "error"`): the switched Map's Distributed Map. */
  readonly storedListTo?: string;
}

/** One task's Lambda function: every Task state that calls the task invokes it. */
export interface CompiledTask {
  /** The task name. */
  readonly name: string;
  readonly task: GraphTask;
  /** Key of `${...}` in the definition to substitute with the Lambda ARN. */
  readonly placeholder: string;
  /** State names that invoke it: its calls' states, and their copies in a switched Map's Distributed Map. */
  readonly states: readonly string[];
  /** Secret names the task receives (it may read only these). */
  readonly secrets: readonly string[];
  /** Lambda timeout in seconds (task timeout plus the handler's grace). */
  readonly lambdaTimeoutSeconds: number;
  readonly memory: number;
}

/** A subflow the machine starts: substitute `${placeholder}` with the child state machine ARN. */
export interface CompiledSubflow {
  readonly flow: string;
  readonly placeholder: string;
}

/** What `compile(flow)` returns. */
export interface CompiledFlow {
  readonly flow: string;
  /** The state machine name the console shows: `stepflow-<flow>`. */
  readonly stateMachineName: string;
  /**
   * The ASL definition. Holds `${...}` placeholders (CDK DefinitionSubstitutions): each task's
   * `placeholder`, each subflow's, and `${ResultsBucket}` where a Distributed Map is used.
   */
  readonly definition: StateMachineDefinition;
  readonly tasks: readonly CompiledTask[];
  readonly subflows: readonly CompiledSubflow[];
  readonly output: OutputShape;
  /** What each state is (Task, subflow and Map states), by state name. */
  readonly states: Readonly<Record<string, CompiledState>>;
  /** Names of Distributed Map states (need S3 and child-execution permissions). */
  readonly distributedMaps: readonly string[];
  /** True when the definition reads or writes the results bucket directly. */
  readonly usesResultsBucket: boolean;
}
