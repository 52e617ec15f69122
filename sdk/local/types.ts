/** Types of local runs: options, the run returned, its task runs and the live events. */

import type { HistoryStore, ResultStore, SecretStore } from "../../functions/stores/types.ts";
import type { TaskFn } from "../define/task.ts";
import type { Json } from "../core/json.ts";
import type { FinalRunStatus, TaskRunStatus } from "../core/status.ts";

/** An error as the run reports it: the thrown error's `name` and `message`. */
export interface RunError {
  readonly name: string;
  readonly message: string;
  /** The state whose failure failed the run, when a task failed it. */
  readonly state?: string;
  /** The task of that state. */
  readonly task?: string;
  /** The map item index of the failing call, inside a Map. */
  readonly mapIndex?: number;
  /** The run the failing task belonged to (a subflow's run id when a subflow failed it). */
  readonly runId?: string;
}

/** One attempt of one task call (one map item) in a run or in one of its subflow runs. */
export interface TaskRun {
  /** The flow whose state ran it (a subflow's name for subflow tasks). */
  readonly flow: string;
  /** The run it belongs to (a subflow's run id for subflow tasks). */
  readonly runId: string;
  readonly state: string;
  readonly task: string;
  /** The map item index, inside a Map iteration. */
  readonly mapIndex?: number;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
  /** `RUNNING` only when the run ended (e.g. timed out) while the attempt was still going. */
  readonly status: TaskRunStatus;
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  /** True when the result came from the task's cache. */
  readonly cached?: boolean;
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * What one execution used, measured as Step Functions counts it: for tests and benchmarks that
 * assert a flow stays within AWS's limits. A subflow run is its own execution, with its own stats.
 */
export interface RunStats {
  /** History events the execution recorded, as a Standard workflow writes them (limit 25,000). */
  readonly historyEvents: number;
  /** States entered, retries included: the transitions a Standard workflow bills. */
  readonly transitions: number;
  /** The largest state input or output, in bytes of JSON (limit 262,144). */
  readonly maxStateBytes: number;
  /** The state whose input or output that was (absent for the execution input). */
  readonly maxStateBytesAt?: string;
  /** The largest Lambda event a Task state sent, in bytes of JSON (limit 262,144). */
  readonly maxTaskEventBytes: number;
  /**
   * Child executions the run's Distributed Maps started (one per item), when any ran. Each has its
   * own history; `maxChildHistoryEvents` is the most one of them recorded (limit 25,000 each).
   */
  readonly childExecutions?: number;
  readonly maxChildHistoryEvents?: number;
}

/** What `runLocal` returns. */
export interface LocalRun<R = unknown> {
  /** The execution name: `<flow>-<yyyymmddThhmmssZ>-<12 random base-36>` (see `newRunId`). */
  readonly runId: string;
  readonly flow: string;
  readonly status: FinalRunStatus;
  /** The flow's result, decoded (stored values read back); `undefined` unless `SUCCEEDED`. */
  readonly result: R | undefined;
  readonly error?: RunError;
  /** Every task attempt, subflow runs' included, in the order they started. */
  readonly tasks: readonly TaskRun[];
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  /** The raw execution output (envelopes or rows), for debugging the payload protocol. */
  readonly output: Json | undefined;
  /** What this run's execution used against AWS's limits (history events, payload sizes). */
  readonly stats: RunStats;
  /**
   * The first history write of the run that failed (e.g. `ENOSPC`), when one did: the run went
   * on and its result is here, but `stepflow runs` may show it incomplete.
   */
  readonly historyError?: RunError;
  /** The run this one retried (`retryLocal`, `stepflow retry`). */
  readonly retryOf?: string;
  /** Calls not run again because the retried run had their result, by run, state and map index. */
  readonly reused?: readonly { readonly runId: string; readonly state: string; readonly mapIndex?: number }[];
}

interface EventBase {
  readonly flow: string;
  readonly runId: string;
}

interface TaskEventBase extends EventBase {
  readonly state: string;
  readonly task: string;
  readonly mapIndex?: number;
  readonly attempt: number;
}

/** Live progress of a local run, for `onEvent`. */
export type RunEvent =
  | (EventBase & {
      readonly type: "run-started";
      readonly parentRunId?: string;
      /** The run's parameters, validated (a subflow run's tell which of its siblings it is). */
      readonly params?: Json;
    })
  | (EventBase & {
      readonly type: "run-finished";
      readonly status: FinalRunStatus;
      readonly durationMs: number;
      readonly error?: RunError;
      readonly parentRunId?: string;
    })
  | (TaskEventBase & { readonly type: "task-started" })
  | (TaskEventBase & {
      readonly type: "task-succeeded";
      readonly durationMs: number;
      readonly cached: boolean;
    })
  | (TaskEventBase & {
      readonly type: "task-failed";
      readonly durationMs: number;
      readonly error: { readonly name: string; readonly message: string };
    })
  /** Sent right after `task-failed` when the state's `Retry` will run the call again. */
  | (TaskEventBase & { readonly type: "task-retrying"; readonly delayMs: number })
  /** A Map iteration finished: `done` of `total` items (`total` is unknown until the Map starts). */
  | (EventBase & {
      readonly type: "map-progress";
      /** The Map state. */
      readonly state: string;
      /** The first task state of its iteration, which names the Map in progress lines. */
      readonly task: string;
      /** Every task state of its iteration (a chain of mapped tasks runs them all per item). */
      readonly tasks: readonly string[];
      readonly done: number;
      readonly failed: number;
      readonly total: number | undefined;
    })
  /** A line a task logged (its `console.*` output, and the runtime's warnings). */
  | (EventBase & {
      readonly type: "log";
      readonly level: "debug" | "info" | "warn" | "error";
      readonly message: string;
      readonly state?: string;
      readonly mapIndex?: number;
      readonly attempt?: number;
    })
  /** Something the run did differently from AWS, e.g. an unset secret passed as `""`. */
  | { readonly type: "warning"; readonly flow: string; readonly message: string };

/** Options of `runLocal`. */
export interface RunLocalOptions {
  /** The project folder for results and history. @default `.stepflow` in the current directory */
  readonly dir?: string;
  /**
   * Retry delays are real by default, as on AWS; `true` makes every retry delay zero, for
   * tests. @default false
   */
  readonly fastRetries?: boolean;
  /** Receives live progress. @default none */
  readonly onEvent?: (event: RunEvent) => void;
  /**
   * The lowest level of task log lines sent to `onEvent` as `log` events (a task's `console.log`
   * is `info`). Lines are dropped when there is no `onEvent`. @default "info"
   */
  readonly logLevel?: "debug" | "info" | "warn" | "error";
  /**
   * What a task receives for a secret that is set neither as `STEPFLOW_SECRET_<NAME>` nor in
   * `<dir>/secrets.json`: `fail` fails the task, as on AWS; `empty` passes `""` and sends a
   * `warning` event, so tasks can skip what needs it during development. @default "fail"
   */
  readonly missingSecrets?: "fail" | "empty";
  /** Secret values that take precedence over the environment and `secrets.json` (tests). @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * Where task functions run. `in-process`: in this thread, so mocks of AWS clients and module
   * state apply; an attempt that runs CPU-bound code past its `timeout` fails with `States.Timeout`
   * when it returns. `worker`: in a pool of worker threads that load the task's module (the way a
   * Lambda loads its bundle); such an attempt is stopped at its timeout, and the run, its flow
   * `timeout` and `signal` stay responsive meanwhile. Tasks whose module cannot load in a worker
   * (defined in a test file, or replaced by `taskOverrides`) run in-process. @default "in-process"
   */
  readonly isolation?: "in-process" | "worker";
  /** Aborts the run (status `ABORTED`). @default none */
  readonly signal?: AbortSignal;
  /** Replaces the stores (tests); each defaults to the local store under `dir`. @default local stores */
  readonly stores?: {
    readonly results?: ResultStore;
    readonly history?: HistoryStore;
    readonly secrets?: SecretStore;
  };
  /** The run id: 1-80 characters Step Functions accepts in an execution name, not `.` or `..`. @default `<flow>-<yyyymmddThhmmssZ>-<12 random base-36>` */
  readonly runId?: string;
  /**
   * Functions that replace tasks' own for this run, by task name (in the flow and its subflows);
   * the tasks keep their options (retries, timeout, cache). For tests. @default {}
   */
  readonly taskOverrides?: Readonly<Record<string, TaskFn>>;
}
