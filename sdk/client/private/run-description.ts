import { lambdaCause } from "../../../functions/status-event.ts";
import type { ExecutionStatus } from "../../core/status.ts";
import type { RunDescription } from "../types.ts";

/** The fields DescribeExecution and StartSyncExecution both answer with. */
interface ExecutionOutcome {
  readonly status?: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  readonly error?: string;
  readonly cause?: string;
  readonly output?: string;
}

/** A run's description from Step Functions' answer; `status` when the answer has none. */
export function runDescription(
  runId: string,
  executionArn: string,
  out: ExecutionOutcome,
  status: ExecutionStatus,
): RunDescription {
  return {
    runId,
    executionArn,
    status: (out.status ?? status) as ExecutionStatus,
    startedAt: out.startDate,
    stoppedAt: out.stopDate,
    ...(out.error ? { error: out.error } : {}),
    // A Lambda failure's cause is `{"errorType","errorMessage","trace"}` JSON: keep the message.
    ...(out.cause ? { cause: lambdaCause(out.cause)?.errorMessage ?? out.cause } : {}),
    ...(out.output !== undefined ? { output: JSON.parse(out.output) as unknown } : {}),
  };
}
