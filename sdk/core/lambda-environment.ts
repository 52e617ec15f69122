/**
 * The environment of each Lambda entry: what `FlowStack` sets (infra) and the entry reads
 * (functions/lambda.ts), named once here so a name that differs between the two sides is a type
 * error, not a function failing on its first invocation.
 */

/** A task Lambda's environment. */
export interface TaskLambdaEnvironment {
  /** The results bucket. */
  readonly STEPFLOW_RESULTS_BUCKET: string;
  /** The history table (task-run records, cache leases). */
  readonly STEPFLOW_HISTORY_TABLE: string;
  /** Prefix of the flow stack's secret names (`secretPrefix(stage)`). */
  readonly STEPFLOW_SECRET_PREFIX: string;
  /** Days history items live (`DEFAULT_HISTORY_TTL_DAYS` when empty). */
  readonly STEPFLOW_HISTORY_TTL_DAYS: string;
}

/** The run recorder's environment. */
export type RecorderLambdaEnvironment = Pick<TaskLambdaEnvironment, "STEPFLOW_HISTORY_TABLE" | "STEPFLOW_HISTORY_TTL_DAYS">;

/** The notifier's environment. */
export interface NotifierLambdaEnvironment extends Pick<TaskLambdaEnvironment, "STEPFLOW_SECRET_PREFIX"> {
  /** The flows' `notify` settings, as JSON (`NotifyConfig`). */
  readonly STEPFLOW_NOTIFY: string;
  /** The notice ledger's table (one message per status change); without it every delivery posts. */
  readonly STEPFLOW_HISTORY_TABLE?: string;
  readonly STEPFLOW_HISTORY_TTL_DAYS?: string;
}

/** A variable any Lambda entry reads. */
export type LambdaVariable = keyof TaskLambdaEnvironment | keyof NotifierLambdaEnvironment;
