import type { RunStatus, TaskRunStatus } from "../../sdk/core/status.ts";
import type { Json } from "../../sdk/core/json.ts";
/**
 * The runtime's stores: where results, history and secrets live. Each has an AWS
 * implementation (S3, DynamoDB, Secrets Manager) and a local one (files under `.stepflow/`).
 */

/** How a store retries. The defaults fit a task's Lambda, whose timeout leaves 20 s beyond the task's own. */
export interface StoreCallPolicy {
  /** Time limit of each request. @default 3000 */
  readonly timeoutMs?: number;
  /** Attempts in all, the first included. @default 6 */
  readonly attempts?: number;
  /** Backoff before the first retry, doubled each retry, with full jitter. @default 100 */
  readonly baseDelayMs?: number;
  /** Longest backoff. @default 2000 */
  readonly maxDelayMs?: number;
  /**
   * No retry starts after this long since the first attempt. Inside a Lambda invocation the
   * budget and each request's time limit also end at the invocation's deadline (`withDeadline`).
   * @default 12000
   */
  readonly budgetMs?: number;
}

/** JSON values by key: S3 objects on AWS, files locally. */
export interface ResultStore {
  /** Reads the JSON value stored under `key`; throws `ResultNotFoundError` when there is none. */
  get(key: string): Promise<Json>;
  /** Stores `value` as JSON under `key` and returns its size in bytes. */
  put(key: string, value: Json): Promise<number>;
}

/** Secret values by name: Secrets Manager on AWS, env vars or `.stepflow/secrets.json` locally. */
export interface SecretStore {
  /** The secret's value; throws `SecretNotFoundError` (saying how to set it) when it does not exist. */
  get(name: string): Promise<string>;
}

/** A cached task result. */
export interface CacheEntry {
  /** When it was stored (epoch milliseconds). */
  readonly storedAt: number;
  readonly value: Json;
}

/** Task results by cache key (already namespaced by task). */
export interface CacheStore {
  get(key: string): Promise<CacheEntry | undefined>;
  put(key: string, entry: CacheEntry): Promise<void>;
}

/** Who holds a cache lease: the holder's random token, and how many times it renewed the lease. */
export interface LeaseState {
  readonly token: string;
  readonly beat: number;
}

/**
 * Leases on cache keys, so that across processes and Lambdas one call per key runs the task
 * while the others wait for its entry: an item of the history table on AWS (a conditional Put),
 * a file locally. A lease carries no wall-clock time: a waiter decides that a holder died when
 * the lease it reads has not changed for a lease's duration on the waiter's own monotonic
 * clock, so clocks that disagree can make a lease neither eternal nor instantly stale.
 */
export interface CacheLeaseStore {
  /** Creates the lease of `key` for `token`: `false` when someone holds it. */
  create(key: string, token: string): Promise<boolean>;
  /** The lease of `key`, or `undefined` when nobody holds it. */
  read(key: string): Promise<LeaseState | undefined>;
  /** Replaces the lease with `next` only while it is exactly `seen` (a renewal or a takeover): `false` otherwise. */
  replace(key: string, seen: LeaseState, next: LeaseState): Promise<boolean>;
  /** Gives the lease up, if `token` still holds it. */
  release(key: string, token: string): Promise<void>;
}

/** A line a task attempt logged, as kept for the attempt (already redacted). */
export interface TaskLogLine {
  readonly level: string;
  readonly message: string;
  /** ISO timestamp. */
  readonly time: string;
}

/** Which attempt's lines: a task state, its map item index and its attempt number. */
export interface AttemptLogKey {
  readonly state: string;
  readonly mapIndex?: number;
  readonly attempt: number;
}

/** One attempt of one task call (one map item) in a run. */
export interface TaskRunRecord {
  readonly flow: string;
  readonly runId: string;
  readonly task: string;
  readonly state: string;
  /** The map item index, when the call ran inside a Map iteration. */
  readonly mapIndex?: number;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
  readonly status: TaskRunStatus;
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  /** True when the result came from the task's cache. */
  readonly cached?: boolean;
  readonly error?: { readonly name: string; readonly message: string };
  /** Where the result is: the returned envelope, with large inline values summarised. */
  readonly result?: Json;
}

/** One flow run, written by the recorder from execution status events. */
export interface FlowRunRecord {
  readonly flow: string;
  readonly runId: string;
  readonly status: RunStatus;
  /**
   * Orders status changes so they never go backwards, whatever order events arrive in:
   * `redriveCount * 2`, plus 1 once terminal. A write with a rank not above the stored one is ignored.
   */
  readonly rank: number;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  /**
   * The run that started this one, when it runs as a subflow: read from the execution input's
   * `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`, which a nested execution receives.
   */
  readonly parentRunId?: string;
  /** The run's parameters (values of secret-looking fields replaced by `***`). */
  readonly params?: Json;
  /** The execution output (an envelope or rows), truncated when large. */
  readonly output?: Json;
  readonly error?: { readonly name: string; readonly message: string };
}

/** Filters for listing a flow's runs. */
export interface RunQuery {
  /** Only runs with this status. @default every status */
  readonly status?: RunStatus;
  /** At most this many runs, newest first. @default 50 */
  readonly limit?: number;
}

/** A run with its task-run attempts, in state / index / attempt order. */
export interface RunDetails {
  readonly run: FlowRunRecord | undefined;
  readonly tasks: readonly TaskRunRecord[];
  /**
   * The subflow runs it started (their flow-run records, kept beside the parent's so one read
   * finds them), oldest first. @default none, for stores that do not keep them
   */
  readonly children?: readonly FlowRunRecord[];
}

/**
 * Run history. Writes are idempotent: a record is created once, and a later write only
 * replaces it when it moves the status forward (RUNNING to terminal); otherwise it is ignored.
 */
export interface HistoryStore {
  putTaskRun(record: TaskRunRecord): Promise<void>;
  putFlowRun(record: FlowRunRecord): Promise<void>;
  /** A run and its task runs (one DynamoDB Query). */
  getRun(runId: string): Promise<RunDetails>;
  /** A flow's runs, newest first, optionally of one status (one DynamoDB Query). */
  listRuns(flow: string, query?: RunQuery): Promise<readonly FlowRunRecord[]>;
}

/** One notice: a run's status change (in one redrive round) posted to one webhook. */
export interface NoticeKey {
  readonly runId: string;
  readonly status: string;
  /** The execution's `redriveCount`: a redriven run that fails again is notified again. */
  readonly round: number;
  /** The webhook's secret name. */
  readonly target: string;
}

/**
 * Which notices were sent, so a status-change event delivered twice (EventBridge delivers at
 * least once; Lambda retries async invokes) posts once. A claim is a lease: an invocation killed
 * while posting leaves a claim that expires, and the event's retry takes it over.
 */
export interface NoticeLedger {
  /**
   * Claims `key` for `leaseMs`: `true` when this call may post; `false` when the notice was sent,
   * or another invocation holds an unexpired claim (it posts, or fails and is retried itself).
   */
  claim(key: NoticeKey, leaseMs: number): Promise<boolean>;
  /** Records a claimed notice as sent, for good. */
  sent(key: NoticeKey): Promise<void>;
  /** Gives up a claim whose post failed, so the event's retry posts. */
  release(key: NoticeKey): Promise<void>;
}

