/**
 * How many history events a Standard execution records, per state, as Step Functions writes them
 * (see the `HistoryEvent` types in the Step Functions API reference). One model for `stepflow plan`
 * (estimates) and the local runner (counts while it runs), so both agree on the 25,000 limit.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */

/** Step Functions fails a Standard execution whose history would exceed this many events. */
export const HISTORY_EVENT_LIMIT = 25_000;

/** Events per state kind. */
export const HISTORY_EVENTS = {
  /** `ExecutionStarted` and the terminal `ExecutionSucceeded`/`Failed`/`TimedOut`/`Aborted`. */
  execution: 2,
  /** A Lambda Task: `TaskStateEntered`, `TaskScheduled`, `TaskStarted`, `TaskSucceeded`, `TaskStateExited`. */
  task: 5,
  /** Each retry of a Task: the failed attempt's `TaskFailed`, then `TaskScheduled` and `TaskStarted`. */
  retry: 3,
  /** A `startExecution.sync` Task: the task's five plus `TaskSubmitted`. */
  subflow: 6,
  /** Choice, Pass, Succeed, Wait: `<Type>StateEntered`, `<Type>StateExited`. */
  simple: 2,
  /** `ParallelStateEntered`, `ParallelStateStarted`, `ParallelStateSucceeded`, `ParallelStateExited` (branches add their states). */
  parallel: 4,
  /** `MapStateEntered`, `MapStateStarted`, `MapStateSucceeded`, `MapStateExited` (iterations add theirs). */
  map: 4,
  /** Per inline Map iteration: `MapIterationStarted`, `MapIterationSucceeded`. */
  iteration: 2,
  /** A Distributed Map in its parent: the Map's four plus `MapRunStarted`, `MapRunSucceeded` (items run in child executions). */
  distributed: 6,
} as const;
