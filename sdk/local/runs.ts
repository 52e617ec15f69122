// The store's own module, not the runtime's entry: `stepflow runs` starts without loading the
// task handler, the recorder and the AWS stores.
import { localHistoryStore } from "../../functions/stores/local-history-store.ts";
import type { FlowRunRecord, TaskRunRecord } from "../../functions/stores/types.ts";
import type { RunStatus } from "../core/status.ts";

/** Options of `listLocalRuns`. */
export interface ListLocalRunsOptions {
  /** The project folder. @default `.stepflow` in the current directory */
  readonly dir?: string;
  /** Only this flow's runs. @default every flow */
  readonly flow?: string;
  /** Only runs with this status. @default every status */
  readonly status?: RunStatus;
  /** At most this many runs, newest first. @default 50 */
  readonly limit?: number;
  /** Told about each unreadable history entry, which is skipped. @default `console.warn` */
  readonly onProblem?: (message: string) => void;
}

/** A past local run, its task attempts and the subflow runs it started. */
export interface LocalRunDetails {
  readonly run: FlowRunRecord | undefined;
  readonly tasks: readonly TaskRunRecord[];
  /** Subflow runs started by this run (each `parentRunId` is this run's id), oldest first. */
  readonly children: readonly FlowRunRecord[];
}

/**
 * Past local runs, newest first, from the local history (`<dir>/history/`).
 * @example for (const r of await listLocalRuns({ flow: "crypto-dip" })) console.log(r.runId, r.status);
 */
export async function listLocalRuns(options: ListLocalRunsOptions = {}): Promise<FlowRunRecord[]> {
  const store = localHistoryStore({ dir: options.dir, onProblem: options.onProblem });
  const query = { status: options.status, limit: options.limit ?? 50 };
  return [...(options.flow ? await store.listRuns(options.flow, query) : await store.listAllRuns(query))];
}

/**
 * One past local run with its task attempts (in state / index / attempt order).
 * @example const { run, tasks } = await getLocalRun("crypto-dip-20250501T120000Z-k3x9qa0b7mzd");
 */
export async function getLocalRun(
  runId: string,
  options: Pick<ListLocalRunsOptions, "dir" | "onProblem"> = {},
): Promise<LocalRunDetails> {
  const details = await localHistoryStore(options).getRun(runId);
  return { ...details, children: details.children ?? [] };
}
