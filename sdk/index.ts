/**
 * stepflow: define flows and tasks, and compile them to AWS Step Functions.
 * @example import { flow, task, unmapped, when, secret, cron, rate, slack } from "stepflow";
 */

export type { StateMachineDefinition } from "./compile/asl.ts";
export type { CompileOptions } from "./compile/compile.ts";
export { compile } from "./compile/compile.ts";
export type { CompiledFlow, CompiledTask } from "./compile/types.ts";
export type {
  AnyFlow,
  Flow,
  FlowOptions,
  FlowParams,
  FlowResult,
  ParamRefs,
  ParamsSchema,
} from "./define/flow.ts";
export { flow } from "./define/flow.ts";
export type { SlackOptions } from "./define/notify.ts";
export type { Notifier } from "./graph/options.ts";
export { slack } from "./define/notify.ts";
export type { Jsonify, NotJson } from "./define/jsonify.ts";
export type { Input, MapArg, Ref, Resolved, Unmapped } from "./define/ref.ts";
export { unmapped } from "./define/ref.ts";
export type { ScheduleOptions } from "./define/schedule.ts";
export { cron, rate } from "./define/schedule.ts";
export type { SecretRef } from "./define/secret.ts";
export { secret } from "./define/secret.ts";
export type { AnyTask, Task } from "./define/task.ts";
export type { CacheOptions, TaskOptions } from "./define/task-options.ts";
export { task } from "./define/task.ts";
export { when } from "./define/when.ts";
export { taskContext } from "./core/task-context.ts";
export type { TaskContext } from "./core/task-context.ts";
export type { Duration } from "./duration.ts";
export {
  FlowDefinitionError,
  NonRetriableError,
  ParamsError,
  ScheduleError,
  StepflowError,
  UsageError,
} from "./core/errors.ts";
export type { DefinitionProblem, DefinitionProblemKind } from "./core/errors.ts";
export type { RunStatus } from "./core/status.ts";
export type { Json } from "./core/json.ts";
