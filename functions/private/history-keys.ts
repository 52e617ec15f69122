/**
 * The history table's keys, as agreed with infra: one table, `pk`/`sk`, GSIs `gsi1` (a flow's
 * runs) and `gsi2` (a flow's runs of one status), TTL attribute `expiresAt`.
 */
import type { FlowRunRecord, TaskRunRecord } from "../stores/types.ts";
import type { TaskRunStatus } from "../../sdk/core/status.ts";

/** `RUN#<runId>`: the partition of a run and its task runs. */
export const runPk = (runId: string): string => `RUN#${runId}`;
/** The sort key of the flow run record (sorts before every `TASK#`). */
export const RUN_SK = "#RUN";

/** `CHILD#<runId>`: a subflow run's record, kept in its parent's partition too. */
export const childSk = (runId: string): string => `CHILD#${runId}`;

/** `NOTICE#<status>#<round>#<target>`: a notice sent (or being sent) about the run. */
export const noticeSk = (n: { status: string; round: number; target: string }): string =>
  `NOTICE#${n.status}#${n.round}#${n.target}`;

/** `TASK#<state>#<index, 6 digits>#<attempt, 3 digits>`. */
export function taskSk(record: Pick<TaskRunRecord, "state" | "mapIndex" | "attempt">): string {
  return `TASK#${record.state}#${String(record.mapIndex ?? 0).padStart(6, "0")}#${String(record.attempt).padStart(3, "0")}`;
}

/** `<startedAt>#<runId>`: sorts a flow's runs by start time (the sort key of gsi1 and gsi2). */
export function runSortKey(record: Pick<FlowRunRecord, "runId" | "startedAt">): string {
  return `${record.startedAt}#${record.runId}`;
}

/** gsi1 (runs of a flow, newest first) and gsi2 (runs of a flow with one status). */
export function flowRunIndexKeys(record: Pick<FlowRunRecord, "flow" | "runId" | "status" | "startedAt">) {
  const sk = runSortKey(record);
  return {
    gsi1pk: `FLOW#${record.flow}`,
    gsi1sk: sk,
    gsi2pk: `FLOW#${record.flow}#${record.status}`,
    gsi2sk: sk,
  };
}

/**
 * A task-run status only moves forward: RUNNING (0), FAILED (1), SUCCEEDED (2). Success ranks
 * above failure because an attempt delivered twice (Lambda retries an invocation whose response
 * was lost) may fail once and succeed once, and the state used the success.
 */
export function taskRank(status: TaskRunStatus): number {
  return status === "RUNNING" ? 0 : status === "FAILED" ? 1 : 2;
}
