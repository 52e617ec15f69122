/**
 * Errors `StepflowClient` throws. AWS errors are mapped to these, each naming the flow, run or
 * permission in backticks and saying what to do; the AWS error stays as `cause`.
 */
import { StepflowError } from "../core/errors.ts";

/** The client lacks a setting it needs (region, results bucket, history table). */
export class ClientConfigError extends StepflowError {
  override name = "ClientConfigError";
}

/** The flow's state machine `stepflow-<flow>` does not exist in this account and region. */
export class FlowNotDeployedError extends StepflowError {
  override name = "FlowNotDeployedError";
}

/** A run with this name already exists for the flow (execution names are unique per state machine). */
export class RunNameTakenError extends StepflowError {
  override name = "RunNameTakenError";
}

/** No run with this id or ARN exists (in Step Functions or in the history table). */
export class RunNotFoundError extends StepflowError {
  override name = "RunNotFoundError";
}

/**
 * Step Functions cannot redrive this run (`RedriveExecution` answered `ExecutionNotRedrivable`):
 * it did not fail, time out or abort, it ended over 14 days ago, or it is an Express run.
 */
export class RunNotRedrivableError extends StepflowError {
  override name = "RunNotRedrivableError";
}

/** The credentials in use lack an IAM permission; `permission` names it (e.g. `states:StartExecution`). */
export class AccessDeniedError extends StepflowError {
  override name = "AccessDeniedError";
  readonly permission: string;
  constructor(message: string, permission: string, options?: { cause?: unknown }) {
    super(message, options);
    this.permission = permission;
  }
}

/** AWS kept throttling a request after every retry. */
export class ThrottledError extends StepflowError {
  override name = "ThrottledError";
}

/** `wait()` or `result()` gave up before the run ended; the run itself goes on. */
/** An operation Step Functions does not support on Express executions (describe, stop). */
export class ExpressRunError extends StepflowError {
  override name = "ExpressRunError";
}

export class WaitTimeoutError extends StepflowError {
  override name = "WaitTimeoutError";
}

/**
 * The run ended without succeeding, so it has no result. `status` is its final status;
 * `error` and `cause` are the execution's (`cause` is the task's message for a task failure).
 */
export class RunFailedError extends StepflowError {
  override name = "RunFailedError";
  readonly runId: string;
  readonly status: string;
  readonly error: string | undefined;
  readonly runCause: string | undefined;
  constructor(
    message: string,
    details: { runId: string; status: string; error?: string; cause?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.runId = details.runId;
    this.status = details.status;
    this.error = details.error;
    this.runCause = details.cause;
  }
}
