/**
 * The statuses of a flow run, as Step Functions reports them: one vocabulary for notifiers, the
 * run recorder, the history, the client and the CLI.
 */

/** Status of a flow run, as Step Functions reports it. */
export type RunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

/** Every run status, in order; the run recorder keeps exactly these. */
export const STATUSES: readonly RunStatus[] = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
