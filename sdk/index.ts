/**
 * stepflow: define flows and tasks, and compile them to AWS Step Functions.
 * @example import { flow, task, unmapped, when, secret, cron, rate, slack } from "stepflow";
 */
export { task } from "./define/task.ts";
export type { Task, AnyTask, TaskOptions, CacheOptions, ResolvedTaskOptions, TaskFn } from "./define/task.ts";
export { flow } from "./define/flow.ts";
export type { Flow, AnyFlow, FlowOptions, ResolvedFlowOptions, ParamRefs, FlowParams, FlowResult, ParamsSchema } from "./define/flow.ts";
export { unmapped, isRef } from "./define/ref.ts";
export type { Ref, Input, MapArg, Unmapped } from "./define/ref.ts";
export { when } from "./define/when.ts";
export { secret } from "./define/secret.ts";
export type { SecretRef } from "./define/secret.ts";
export { cron, rate } from "./define/schedule.ts";
export type { Schedule, ScheduleOptions } from "./define/schedule.ts";
export { slack } from "./define/notify.ts";
export type { Notifier, RunStatus, SlackOptions } from "./define/notify.ts";
export { compile } from "./compile/compile.ts";
export { substitute, localSubstitutions } from "./compile/substitute.ts";
export type { CompileOptions } from "./compile/compile.ts";
export type { CompiledFlow, CompiledTask, CompiledSubflow, OutputShape } from "./compile/types.ts";
export type { StateMachineDefinition } from "./compile/asl.ts";
export { collectFlows } from "./graph/collect.ts";
export type { FlowGraph, Call, TaskCall, SubflowCall, Condition, MapGroup, ValueSource, Json } from "./graph/types.ts";
export {
  StepflowError,
  FlowDefinitionError,
  UsageError,
  ParamsError,
  ScheduleError,
  NonRetriableError,
} from "./errors.ts";
export { toSeconds } from "./duration.ts";
export type { Duration } from "./duration.ts";
export type { Envelope, ArgInput, TaskRequest, OutputHint } from "./protocol.ts";
