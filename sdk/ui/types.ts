/** What the `stepflow ui` server reads runs from, and the JSON its page receives. */
import type { FlowRunRecord, TaskRunRecord } from "../../functions/stores/types.ts";
import type { Json } from "../core/json.ts";
import type { RunMachine as RecordedMachine } from "../local/private/executions.ts";
import type { RunStatus } from "../core/status.ts";

/** The state machine a run executed, with the facts the page reads of its states (every Map's tasks too). */
export type RunMachine = RecordedMachine & Required<Pick<RecordedMachine, "maps">>;

/** A run in the list: its record without the execution output (which may be large). */
export type RunSummary = Omit<FlowRunRecord, "output"> & {
  /** A short text of the output or the error, for the list. */
  readonly summary?: string;
};

/** A task attempt as the page receives it: without its result, which is fetched on demand. */
export type AttemptView = Omit<TaskRunRecord, "result"> & { readonly hasResult: boolean };

/** One run as the run view shows it. */
export interface RunView {
  readonly run: RunSummary | undefined;
  readonly attempts: readonly AttemptView[];
  /** The state machine the run executed, when known (runs recorded before `stepflow ui` have none). */
  readonly machine?: RunMachine;
  readonly parentRunId?: string;
  /** Subflow runs this run started, with their status. */
  readonly children: readonly { readonly runId: string; readonly flow: string; readonly status?: RunStatus }[];
  /** The AWS console page of the execution (remote runs). */
  readonly consoleUrl?: string;
}

/** What one attempt left besides its record: its stored result and its log lines. */
export interface AttemptDetail {
  /** The attempt's result, decoded (stored values read back); absent when it has none. */
  readonly result?: Json;
  /** Why the result could not be read, when it could not. */
  readonly resultError?: string;
  readonly logs: readonly { readonly level: string; readonly message: string; readonly time?: string }[];
}

/** Which attempt: a task state, its map item index and its attempt number. */
export interface AttemptKey {
  readonly state: string;
  readonly mapIndex?: number;
  readonly attempt: number;
}

/** Filters of the run list. */
export interface RunFilter {
  readonly flow?: string;
  readonly status?: RunStatus;
  readonly limit?: number;
}

/** Where runs come from: the local history, or the deployed history table and executions. */
export interface RunSource {
  /** `local` or `remote`, shown on the page. */
  readonly kind: "local" | "remote";
  listRuns(filter: RunFilter): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunView | undefined>;
  getAttempt(runId: string, key: AttemptKey): Promise<AttemptDetail | undefined>;
  /**
   * "Retry from failure": starts `stepflow retry` of a failed run (locally a new run, reusing what
   * succeeded; on AWS a redrive of the same execution) and gives the run to show.
   */
  retry(runId: string): Promise<{ readonly runId?: string }>;
  /**
   * A token that changes whenever the list or the given run changes: the server polls it and
   * tells the page over server-sent events.
   */
  version(runId: string | undefined): Promise<string>;
}
