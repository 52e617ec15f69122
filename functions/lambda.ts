/**
 * The three Lambda entries, built alike (`lambdaEntry`): each reads the environment once per
 * container, builds its core (task handler, recorder, notifier) with a Powertools `Logger` that
 * puts the Lambda context on every line, and keeps only clients and the secret cache at module
 * scope, never per-run state.
 */
import type { RuntimeTask } from "../sdk/core/runtime-task.ts";
import type { NotifyConfig } from "../sdk/core/notify-config.ts";
import type { Envelope, TaskRequest } from "../sdk/core/protocol.ts";
import type { SFNClientConfig } from "@aws-sdk/client-sfn";
import { sfnExecutionHistory } from "./private/execution-history.ts";
import { lazy } from "./private/lazy.ts";
import { jsonVar, type LambdaEnv, required, ttlDays } from "./private/lambda-env.ts";
import { lambdaEntry } from "./private/lambda-entry.ts";
import { STORE_CLIENT_CONFIG } from "./private/store-call.ts";
import { createNotifier, type NotifyResult } from "./notifier.ts";
import { createRecorder } from "./recorder.ts";
import type { ExecutionStatusEvent } from "./status-event.ts";
import { awsCacheLease } from "./stores/aws-cache-lease.ts";
import { awsHistoryStore } from "./stores/aws-history-store.ts";
import { awsNoticeLedger } from "./stores/aws-notice-ledger.ts";
import { awsSecretStore } from "./stores/aws-secret-store.ts";
import { type AwsStoresOptions, awsStores } from "./stores/stores.ts";
import { createTaskHandler } from "./task-handler.ts";

/** Options of the Lambda entries (tests; deployed functions use the environment). */
export interface LambdaOptions {
  /** Where configuration is read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Client configs (endpoint, region) of the AWS clients. @default {} each */
  readonly clients?: AwsStoresOptions["clients"] & { readonly sfn?: SFNClientConfig };
}

/**
 * A task Lambda's handler. Of the Lambda context it reads the request id and function (log
 * lines) and `getRemainingTimeInMillis`: store calls (and their retries) end before the
 * invocation does.
 */
export type TaskLambdaHandler = (event: TaskRequest, context?: unknown) => Promise<Envelope>;

/** The recorder Lambda's handler, for EventBridge "Step Functions Execution Status Change" events. */
export type RecorderLambdaHandler = (event: ExecutionStatusEvent, context?: unknown) => Promise<void>;

/** The notifier Lambda's handler, for the same events as the recorder's. */
export type NotifierLambdaHandler = (event: ExecutionStatusEvent, context?: unknown) => Promise<NotifyResult>;

/**
 * The Lambda handler of one task. Generated entries call it at module scope:
 * @example export const handler = lambdaHandler(getData);
 */
export function lambdaHandler(task: RuntimeTask, options: LambdaOptions = {}): TaskLambdaHandler {
  const env: LambdaEnv = options.env ?? process.env;
  return lambdaEntry("stepflow", (logger) =>
    createTaskHandler({
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
    }),
  );
}

/**
 * Creates the recorder Lambda's handler (see `recorderHandler`): flow-run records from status
 * events, and at a run's end the task-run records its Lambdas could not write, from the
 * execution's history.
 */
export function createRecorderHandler(options: LambdaOptions = {}): RecorderLambdaHandler {
  const env: LambdaEnv = options.env ?? process.env;
  const entry = lambdaEntry("stepflow-recorder", (logger) =>
    createRecorder({
      logger,
      history: awsHistoryStore({
        table: required(env, "STEPFLOW_HISTORY_TABLE"),
        ttlDays: ttlDays(env),
        clientConfig: options.clients?.dynamodb,
      }),
      executions: sfnExecutionHistory(
        lazy(async () => new (await import("@aws-sdk/client-sfn")).SFNClient({ ...STORE_CLIENT_CONFIG, ...options.clients?.sfn })),
      ),
    }),
  );
  return async (event, context) => {
    await entry(event, context);
  };
}

/**
 * Creates the notifier Lambda's handler (see `notifierHandler`): the Slack messages of the
 * flows' `notify` (env `STEPFLOW_NOTIFY`), webhook URLs from Secrets Manager (names prefixed with
 * env `STEPFLOW_SECRET_PREFIX`), each notice claimed in the history table (env
 * `STEPFLOW_HISTORY_TABLE`, when set) so a redelivered event posts once.
 */
export function createNotifierHandler(options: LambdaOptions = {}): NotifierLambdaHandler {
  const env: LambdaEnv = options.env ?? process.env;
  return lambdaEntry("stepflow-notifier", (logger) => {
    const table = env.STEPFLOW_HISTORY_TABLE;
    return createNotifier({
      logger,
      config: jsonVar<NotifyConfig>(env, "STEPFLOW_NOTIFY", {}),
      secrets: awsSecretStore({ prefix: env.STEPFLOW_SECRET_PREFIX, clientConfig: options.clients?.secretsManager }),
      sfn: lazy(async () => new (await import("@aws-sdk/client-sfn")).SFNClient({ ...options.clients?.sfn })),
      ledger: table ? awsNoticeLedger({ table, ttlDays: ttlDays(env), clientConfig: options.clients?.dynamodb }) : undefined,
    });
  });
}

/** The recorder Lambda's handler, configured from the environment (what `FlowStack` deploys). */
export const recorderHandler: RecorderLambdaHandler = /* @__PURE__ */ createRecorderHandler();

/** The notifier Lambda's handler, configured from the environment (what `FlowStack` deploys). */
export const notifierHandler: NotifierLambdaHandler = /* @__PURE__ */ createNotifierHandler();
