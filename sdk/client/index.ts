/**
 * stepflow/client: start ad-hoc runs of deployed flows, follow them, read their results and
 * their history, and store secrets.
 * @example
 * import { StepflowClient } from "stepflow/client";
 * const run = await new StepflowClient().start(toTheMoon, { coin: "BTC" });
 */
export {
  AccessDeniedError,
  ClientConfigError,
  ExpressRunError,
  FlowNotDeployedError,
  RunFailedError,
  RunNameTakenError,
  RunNotFoundError,
  RunNotRedrivableError,
  ThrottledError,
  WaitTimeoutError,
} from "./errors.ts";
export type { RedriveReport, TaskCallKey } from "./private/redrive.ts";
export type { RunHandle } from "./run-handle.ts";
export type { StartArgs } from "./stepflow-client.ts";
export { StepflowClient } from "./stepflow-client.ts";
export type { ExecutionStatus, RunStatus } from "../core/status.ts";
export type {
  RunDescription,
  RunRecord,
  RunResult,
  RunsFilter,
  SecretWrite,
  StartOptions,
  StateMachineArns,
  StepflowClientOptions,
  WaitOptions,
} from "./types.ts";
