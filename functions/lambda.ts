/**
 * Thin Lambda entries around the cores: they read the environment once per container and
 * keep only clients and the secret cache at module scope, never per-run state.
 */
import type { RuntimeTask } from "../sdk/core/runtime-task.ts";
import type { Envelope, TaskRequest } from "../sdk/core/protocol.ts";
import type { SFNClientConfig } from "@aws-sdk/client-sfn";
import { lambdaDeadline, withDeadline } from "./private/deadline.ts";
import { sfnExecutionHistory } from "./private/execution-history.ts";
import { lazy } from "./private/lazy.ts";
import { STORE_CLIENT_CONFIG } from "./private/store-call.ts";
import { createRecorder, type ExecutionStatusEvent, type Recorder } from "./recorder.ts";
import { awsCacheLease } from "./stores/aws-cache-lease.ts";
import { awsHistoryStore } from "./stores/aws-history-store.ts";
import { type AwsStoresOptions, awsStores } from "./stores/stores.ts";
import { createTaskHandler, type TaskHandler } from "./task-handler.ts";
import { required, ttlDays } from "./private/lambda-env.ts";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

/** Options of the Lambda entries (tests; deployed functions use the environment). */
export interface LambdaOptions {
  /** Where configuration is read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Client configs (endpoint, region) of the AWS clients. @default {} each */
  readonly clients?: AwsStoresOptions["clients"] & { readonly sfn?: SFNClientConfig };
}

/**
 * A task Lambda's handler. Of the Lambda context only `getRemainingTimeInMillis` is read: store
 * calls (and their retries) end before the invocation does.
 */
export type TaskLambdaHandler = (event: TaskRequest, context?: unknown) => Promise<Envelope>;

/**
 * The Lambda handler of one task. Generated entries call it at module scope:
 * @example export const handler = lambdaHandler(getData);
 */
export function lambdaHandler(task: RuntimeTask, options: LambdaOptions = {}): TaskLambdaHandler {
  const env = options.env ?? process.env;
  const logger = new Logger({ serviceName: "stepflow" });
  let handle: TaskHandler | undefined;
  return async (event, context) => {
    withLambdaContext(logger, context);
    // Built on the first invocation, so a missing variable fails the task with a clear error
    // instead of failing the module import.
    handle ??= createTaskHandler({
      tasks: (name) => (name === task.taskName ? task : undefined),
      logger,
      ...awsStores({
        bucket: required(env, "STEPFLOW_RESULTS_BUCKET"),
        table: required(env, "STEPFLOW_HISTORY_TABLE"),
        secretPrefix: env.STEPFLOW_SECRET_PREFIX,
        historyTtlDays: ttlDays(env),
        clients: options.clients,
      }),
      // Only a cached task reads or writes leases (FlowStack grants it `GetItem` on its own keys).
      cacheLease: task.options.cache
        ? awsCacheLease({ table: required(env, "STEPFLOW_HISTORY_TABLE"), ttlDays: ttlDays(env), clientConfig: options.clients?.dynamodb })
        : undefined,
    });
    const h = handle;
    return withDeadline(lambdaDeadline(context), () => h(event));
  };
}

/**
 * Creates the recorder Lambda's handler (see `recorderHandler`): flow-run records from status
 * events, and at a run's end the task-run records its Lambdas could not write, from the
 * execution's history.
 */
export function createRecorderHandler(
  options: LambdaOptions = {},
): (event: ExecutionStatusEvent, context?: unknown) => Promise<void> {
  const env = options.env ?? process.env;
  const logger = new Logger({ serviceName: "stepflow-recorder" });
  let record: Recorder | undefined;
  return async (event, context) => {
    withLambdaContext(logger, context);
    record ??= createRecorder({
      logger,
      history: awsHistoryStore({
        table: required(env, "STEPFLOW_HISTORY_TABLE"),
        ttlDays: ttlDays(env),
        clientConfig: options.clients?.dynamodb,
      }),
      executions: sfnExecutionHistory(
        lazy(async () => new (await import("@aws-sdk/client-sfn")).SFNClient({ ...STORE_CLIENT_CONFIG, ...options.clients?.sfn })),
      ),
    });
    const r = record;
    await withDeadline(lambdaDeadline(context), () => r(event));
  };
}

/** The recorder Lambda's handler, for EventBridge "Step Functions Execution Status Change" events. */
export const recorderHandler: (event: ExecutionStatusEvent, context?: unknown) => Promise<void> =
  /* @__PURE__ */ createRecorderHandler();

/**
 * Puts the Lambda context (request id, function, cold start) on every line `logger` and its
 * per-invocation children print, through Powertools' public `addContext`.
 */
function withLambdaContext(logger: Logger, context: unknown): void {
  const c = context as Partial<Context> | undefined;
  if (typeof c?.awsRequestId === "string" && typeof c.functionName === "string") logger.addContext(c as Context);
}
