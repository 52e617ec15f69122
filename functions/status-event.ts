/**
 * The EventBridge "Step Functions Execution Status Change" event, read by the recorder and the
 * notifier, and the names and links derived from it.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
import { flowOfMachineName } from "../sdk/core/deploy-names.ts";
import type { ExecutionStatus } from "../sdk/core/status.ts";


/** The `detail` of a "Step Functions Execution Status Change" event. */
export interface ExecutionStatusDetail {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** The execution name: the run id. */
  readonly name: string;
  /** An `ExecutionStatus`; typed as a string because events are read from outside. */
  readonly status: ExecutionStatus | (string & {});
  /** Epoch milliseconds. */
  readonly startDate: number;
  readonly stopDate?: number | null;
  /** The execution input, as a JSON string. */
  readonly input?: string | null;
  readonly output?: string | null;
  readonly error?: string | null;
  readonly cause?: string | null;
  readonly redriveCount?: number;
}

/** An EventBridge "Step Functions Execution Status Change" event. */
export interface ExecutionStatusEvent {
  readonly "detail-type"?: string;
  readonly source?: string;
  readonly region?: string;
  readonly detail: ExecutionStatusDetail;
}

/**
 * The flow of a stepflow state machine ARN (`stepflow-<flow>`, or `<stage>-stepflow-<flow>`), or
 * undefined for another state machine.
 */
export function flowOfStateMachine(stateMachineArn: string): string | undefined {
  return flowOfMachineName(stateMachineArn.split(":").at(-1) ?? "");
}

/** The flow name of a state machine: its name without the `stepflow-` (or `<stage>-stepflow-`) prefix. */
export function flowNameOf(stateMachineArn: string): string {
  return flowOfStateMachine(stateMachineArn) ?? stateMachineArn.split(":").at(-1) ?? stateMachineArn;
}

/** The Step Functions console page of an execution (its region read from the ARN). */
export function consoleUrl(executionArn: string): string {
  const region = executionArn.split(":")[3] || "us-east-1";
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/**
 * The error a Lambda task reported, when `cause` is the `{ errorType, errorMessage, trace }` JSON
 * Step Functions records for a failed Lambda invocation; `undefined` for any other cause.
 */
export function lambdaCause(
  cause: string | null | undefined,
): { readonly errorType?: string; readonly errorMessage: string } | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown } | null;
    if (typeof parsed?.errorMessage !== "string") return undefined;
    const errorType = typeof parsed.errorType === "string" ? parsed.errorType : undefined;
    return { errorType, errorMessage: parsed.errorMessage };
  } catch {
    // Not JSON: a plain cause string (States.Timeout, a subflow's failure, ...).
    return undefined;
  }
}
