/**
 * stepflow/local: run flows on this machine, with the same compiled state machine and task
 * handler as on AWS, and read the history of past local runs.
 * @example import { runLocal } from "stepflow/local";
 */
export { runLocal } from "./run-local.ts";
export { findLocalRetry, RetryError, retryLocal } from "./retry-local.ts";
export type { ListLocalRunsOptions, LocalRunDetails } from "./runs.ts";
export { getLocalRun, listLocalRuns } from "./runs.ts";
export type { LocalRun, RunError, RunEvent, RunLocalOptions, RunStats, TaskRun } from "./types.ts";
export type { FinalRunStatus, RunStatus } from "../core/status.ts";
