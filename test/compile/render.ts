/** Small builders of the states the compiler should emit, so expected definitions read like the flow. */
import type { Json } from "../../sdk/index.ts";

export const LAMBDA_RETRY = {
  ErrorEquals: [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
  ],
  IntervalSeconds: 1,
  MaxAttempts: 3,
  BackoffRate: 2,
  JitterStrategy: "FULL",
};

type Link = { Next: string } | { End: true; OutputPath?: string };

/** Where a state goes next: another state's name, or the end with an optional OutputPath. */
export function next(to: string | { end: true; output?: string }): Link {
  if (typeof to === "string") return { Next: to };
  return to.output ? { End: true, OutputPath: to.output } : { End: true };
}

export interface LambdaTaskSpec {
  flow: string;
  task: string;
  state?: string;
  args: Json[];
  /** Inside a Map iteration. */
  inMap?: boolean;
  out?: string[];
  timeout?: number;
  retry?: Json[];
  lengths?: boolean;
  /** The state replaces the results with its own (every other result is dead after it). */
  replace?: boolean;
  /** Its `share` of the state data budget. */
  share?: Json;
  /** Map outputs passed once (`lists`). */
  lists?: Json;
}

/** The Task state of a task call. */
export function lambdaTask(spec: LambdaTaskSpec, link: Link): Json {
  const state = spec.state ?? spec.task;
  const id = state.replace(/[^A-Za-z0-9_]/g, "_");
  const parameters: Record<string, Json> = {
    flow: spec.flow,
    task: spec.task,
    state,
    "run.$": spec.inMap ? "$.run" : "$$.Execution.Name",
    "attempt.$": "$$.State.RetryCount",
    args: spec.args,
  };
  if (spec.inMap) parameters["index.$"] = "$.index";
  if (spec.lengths) parameters["lengths.$"] = "$.lengths";
  if (spec.out) parameters.out = spec.out;
  if (spec.lists) parameters.lists = spec.lists;
  if (spec.share) parameters.share = spec.share;
  return {
    Type: "Task",
    Resource: `\${Task_${spec.task.replace(/[^A-Za-z0-9_]/g, "_")}}`,
    Parameters: parameters,
    ...(spec.replace ? { ResultSelector: { [`${id}.$`]: "$" }, ResultPath: "$.results" } : { ResultPath: `$.results.${id}` }),
    TimeoutSeconds: spec.timeout ?? 330,
    Retry: spec.retry ?? [LAMBDA_RETRY],
    ...link,
  };
}

export const env = (path: string) => ({ "env.$": path });
export const param = (name: string) => ({ "v.$": `$.${name}` });
