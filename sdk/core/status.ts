/**
 * The statuses of a flow run, as Step Functions reports them: one vocabulary for notifiers, the
 * run recorder, the history, the client and the CLI.
 */

/** Status of a flow run, as Step Functions reports it. */
export type RunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

/** Status of an execution as Step Functions reports it: a run's statuses, and a failed run waiting to be redriven. */
export type ExecutionStatus = RunStatus | "PENDING_REDRIVE";

/** How a run ended: every run status but `RUNNING`. */
export type FinalRunStatus = Exclude<RunStatus, "RUNNING">;

/** Status of a task-run attempt. */
export type TaskRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED";

/** Every run status, in order; the run recorder keeps exactly these. */
export const STATUSES: readonly RunStatus[] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
