/**
 * `client.retry`: resumes a failed run on AWS with `RedriveExecution`, which re-runs the failed
 * states (and a Distributed Map's failed child executions) and keeps what succeeded; what ran again
 * is then read from the history the task Lambdas write.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
import { RedriveExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import type { HistoryStore, TaskRunRecord } from "../../../functions/stores/types.ts";
import { awsCall, type RetryPolicy } from "./aws-call.ts";

/** One task call (state and map index) of a run. */
export interface TaskCallKey {
  readonly state: string;
  readonly mapIndex?: number;
}

/** What a redrive reused and what it ran again, from the run's history. */
export interface RedriveReport {
  /** Calls that had succeeded before the redrive and did not run again. */
  readonly reused: readonly TaskCallKey[];
  /** Calls with an attempt that started at or after the redrive. */
  readonly ranAgain: readonly TaskCallKey[];
}

/** Sends `RedriveExecution` for a run; returns when Step Functions redrove it. */
export async function redrive(
  sfn: SFNClient,
  retry: RetryPolicy,
  run: { readonly flow: string; readonly runId: string; readonly executionArn: string },
): Promise<Date> {
  const ctx = { action: "states:RedriveExecution", flow: run.flow, run: run.runId, resource: run.executionArn };
  const out = await awsCall(ctx, retry, () => sfn.send(new RedriveExecutionCommand({ executionArn: run.executionArn })));
  return out.redriveDate ?? new Date();
}

/** Splits a run's task attempts at the redrive: calls that ran again, and succeeded calls reused. */
export function redriveReport(tasks: readonly TaskRunRecord[], redrivenAt: Date): RedriveReport {
  const at = redrivenAt.toISOString();
  const key = (t: TaskRunRecord) => `${t.state}#${t.mapIndex ?? ""}`;
  const again = new Map<string, TaskCallKey>();
  const before = new Map<string, TaskCallKey>();
  for (const t of tasks) {
    const call = { state: t.state, ...(t.mapIndex === undefined ? {} : { mapIndex: t.mapIndex }) };
    if (t.startedAt >= at) again.set(key(t), call);
    else if (t.status === "SUCCEEDED") before.set(key(t), call);
  }
  const reused = [...before].filter(([k]) => !again.has(k)).map(([, c]) => c);
  return { reused, ranAgain: [...again.values()] };
}

/** Reads the run's history and reports what its redrive reused and ran again. */
export async function readRedriveReport(history: HistoryStore, runId: string, redrivenAt: Date): Promise<RedriveReport> {
  return redriveReport((await history.getRun(runId)).tasks, redrivenAt);
}
