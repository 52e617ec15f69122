import type { AnyTask } from "../define/task.ts";
import type { StateMachineDefinition } from "./asl.ts";

/** How to read a flow's output (the execution output) back into its result. */
export type OutputShape =
  /** No result: the flow body returned nothing. */
  | { readonly kind: "none" }
  /** The output is an `Envelope`. */
  | { readonly kind: "envelope" }
  /** The output is a Map's rows; the result is `rows[i][col]` for each row. */
  | { readonly kind: "rows"; readonly col: string }
  /** The output is a Distributed Map's ResultWriter details; the result is column `col` of its items. */
  | { readonly kind: "manifest"; readonly col: string };

/** One task's Lambda function: every Task state that calls the task invokes it. */
export interface CompiledTask {
  /** The task name. */
  readonly name: string;
  readonly task: AnyTask;
  /** Key of `${...}` in the definition to substitute with the Lambda ARN. */
  readonly placeholder: string;
  /** State names that invoke it. */
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
  /** Names of Distributed Map states (need S3 and child-execution permissions). */
  readonly distributedMaps: readonly string[];
  /** True when the definition reads or writes the results bucket directly. */
  readonly usesResultsBucket: boolean;
}

/** Placeholder of the results bucket name in definitions. */
export const RESULTS_BUCKET_PLACEHOLDER = "ResultsBucket";
