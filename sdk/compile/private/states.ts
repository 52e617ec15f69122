/** Builders of Task states: a task call (Lambda) and a subflow call (startExecution.sync:2). */
import type { SubflowCall, TaskCall } from "../../graph/types.ts";
import type { OutputHint, OutputShape } from "../../core/protocol.ts";
import type { PayloadTemplate, Retrier, TaskState } from "../asl.ts";
import { HANDLER_GRACE_SECONDS, INVOKE_MARGIN_SECONDS } from "../../core/limits.ts";
import { argTemplate, type Block, rawValue, setRaw } from "./locate.ts";
import type { Json } from "../../core/json.ts";
import { leftOut } from "../../graph/left-out.ts";

/** Lambda errors worth retrying whatever the task's options say. */
const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

/** `${Task_<name>}`: the definition substitution key of a task's Lambda ARN. */
export function taskPlaceholder(taskName: string): string {
  return `Task_${taskName.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** `${Flow_<name>}`: the definition substitution key of a subflow's state machine ARN. */
export function flowPlaceholder(flowName: string): string {
  return `Flow_${flowName.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** The Task state of one task call. `items` maps a lead's mapped argument index to its item path. */
export function taskState(
  flow: string,
  call: TaskCall,
  block: Block,
  hints: readonly OutputHint[] | undefined,
  items: ReadonlyMap<number, string>,
  lengthsPath: string | undefined,
): TaskState {
  const o = call.task.options;
  const args: (Json | PayloadTemplate)[] = call.args.map((a, i) =>
    items.has(i) ? { "env.$": items.get(i)! } : argTemplate(block, a.source),
  );
  const lists = shareLists(args);
  const parameters: PayloadTemplate = {
    flow,
    task: call.task.taskName,
    state: call.state,
    "run.$": block.runPath,
    "attempt.$": "$$.State.RetryCount",
    args: args as Json,
    ...(lists ? { lists } : {}),
  };
  if (block.indexPath) parameters["index.$"] = block.indexPath;
  if (lengthsPath) parameters["lengths.$"] = lengthsPath;
  if (hints?.length) parameters.out = [...hints];
  return {
    Type: "Task",
    Comment: Object.keys(o.tags).length ? `tags: ${JSON.stringify(o.tags)}` : undefined,
    Resource: `\${${taskPlaceholder(call.task.taskName)}}`,
    Parameters: parameters,
    ResultPath: `$.results.${call.id}`,
    // Beyond the Lambda's own timeout: a state that timed out while its Lambda still ran would
    // let a retry start a second, concurrent attempt.
    TimeoutSeconds: o.timeoutSeconds + HANDLER_GRACE_SECONDS + INVOKE_MARGIN_SECONDS,
    Retry: retriers(call),
  };
}

/**
 * Errors of the task's code that a retry would repeat. (`fetch`'s network failures, thrown as
 * `TypeError: fetch failed`, reach the state machine as `FetchError`: the runtime renames them.)
 */
const CODE_ERRORS = ["ReferenceError", "SyntaxError", "TypeError"];

/**
 * Arguments that read columns of the same Map output get it once, under `lists`, and become
 * `{ list, col }`: a task reading k columns receives the rows once, not k times.
 */
function shareLists(args: (Json | PayloadTemplate)[]): PayloadTemplate | undefined {
  const pathOf = (a: Json | PayloadTemplate) => {
    const o = a as Record<string, Json>;
    return (o["rows.$"] ?? o["manifest.$"]) as string | undefined;
  };
  const counts = new Map<string, number>();
  for (const a of args) {
    const path = pathOf(a);
    if (path) counts.set(path, (counts.get(path) ?? 0) + 1);
  }
  const shared = [...counts].filter(([, n]) => n > 1).map(([path]) => path);
  if (!shared.length) return undefined;
  const lists: PayloadTemplate = {};
  shared.forEach((path, i) => {
    const key = `l${i}`;
    const manifest = args.some((a) => (a as Record<string, Json>)["manifest.$"] === path);
    lists[manifest ? key : `${key}.$`] = manifest ? { "manifest.$": path } : path;
    args.forEach((a, j) => {
      if (pathOf(a) === path) args[j] = { list: key, col: (a as Record<string, Json>).col };
    });
  });
  return lists;
}

function retriers(call: TaskCall): Retrier[] {
  const o = call.task.options;
  const list: Retrier[] = [
    {
      ErrorEquals: LAMBDA_SERVICE_ERRORS,
      IntervalSeconds: 1,
      MaxAttempts: 3,
      BackoffRate: 2,
      JitterStrategy: "FULL",
    },
  ];
  if (o.retries === 0) return list;
  // Errors no retry can fix fail at once, as the runtime marks them locally; a name the task's
  // `retryOn` lists is retried after all.
  const never = ["NonRetriableError", ...CODE_ERRORS.filter((n) => !o.retryOn?.includes(n))];
  list.push({ ErrorEquals: never, MaxAttempts: 0 });
  const user: Retrier = {
    ErrorEquals: o.retryOn ? [...o.retryOn] : ["States.ALL"],
    IntervalSeconds: o.retryDelaySeconds,
    MaxAttempts: o.retries,
    BackoffRate: o.backoff,
  };
  if (o.maxDelaySeconds !== undefined) user.MaxDelaySeconds = o.maxDelaySeconds;
  if (o.jitter) user.JitterStrategy = "FULL";
  list.push(user);
  return list;
}

/** The Task state that runs a child flow and waits for it. */
export function subflowState(call: SubflowCall, block: Block, childOutput: OutputShape): TaskState {
  const input: PayloadTemplate = { "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id" };
  for (const [name, source] of Object.entries(call.args)) {
    setRaw(input, name, rawValue(block, source, `parameter \`${name}\` of subflow \`${call.state}\``));
  }
  // The child's defaults travel in the input: a started execution gets no zod parsing.
  for (const [name, value] of Object.entries(paramDefaults(call.flow.schema))) {
    if (!(name in call.args)) input[name] = value;
  }
  const selector: PayloadTemplate = { "execution.$": "$.ExecutionArn" };
  if (childOutput.kind !== "none") selector["output.$"] = "$.Output";
  return {
    Type: "Task",
    Resource: "arn:aws:states:::states:startExecution.sync:2",
    Parameters: { StateMachineArn: `\${${flowPlaceholder(call.flow.flowName)}}`, Input: input },
    ResultSelector: selector,
    ResultPath: `$.results.${call.id}`,
    Retry: [
      {
        ErrorEquals: ["StepFunctions.ExecutionLimitExceeded", "StepFunctions.AWSStepFunctionsException"],
        IntervalSeconds: 2,
        MaxAttempts: 3,
        BackoffRate: 2,
        JitterStrategy: "FULL",
      },
    ],
  };
}

/** The default value of each parameter that has one. */
export function paramDefaults(schema: SubflowCall["flow"]["schema"]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, type] of Object.entries(schema?.shape ?? {})) {
    const value = leftOut(type)?.value;
    if (value !== undefined) out[name] = value as Json;
  }
  return out;
}
