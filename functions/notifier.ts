/**
 * The notifier Lambda: on a run status change of a flow whose `notify` asks for that status,
 * posts a Slack message (flow, run id, status, failing task, error, console link) to the
 * webhook URL held in the notifier's secret.
 */

import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SFNClient } from "@aws-sdk/client-sfn";
import { StepflowError } from "../sdk/core/errors.ts";
import { failedState } from "./notify/failed-state.ts";
import { slackMessage } from "./notify/slack-message.ts";
import { consoleUrl, flowOfStateMachine } from "./status-event.ts";
import {
  type RunNotice,
  runError,
  type StatusChangeEvent,
  taskInMessage,
} from "./notify/status-event.ts";
import { lazy } from "./private/lazy.ts";
import { redactError } from "./private/task-error.ts";
import { awsSecretStore } from "./stores/aws-secret-store.ts";
import type { SecretStore } from "./stores/types.ts";
import type { NotifyConfig } from "../sdk/core/notify-config.ts";
import { jsonVar, type LambdaEnv } from "./private/lambda-env.ts";

export type { StatusChangeEvent } from "./notify/status-event.ts";


/** Options of `createNotifierHandler`. */
export interface NotifierOptions {
  /** Where configuration is read, as the other Lambda entries do. @default process.env */
  readonly env?: LambdaEnv;
  /** Notifiers by flow. @default JSON of env `STEPFLOW_NOTIFY` */
  readonly config?: NotifyConfig;
  /** Where webhook URLs are read. @default Secrets Manager, names prefixed with env `STEPFLOW_SECRET_PREFIX` */
  readonly secrets?: SecretStore;
  /** Reads execution history to name the failed task. @default a client built on first use */
  readonly sfn?: SFNClient;
  /** Secrets Manager client of the default secret store (tests). @default built on first use */
  readonly secretsManager?: SecretsManagerClient;
  /** HTTP timeout of a webhook POST, in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
}

/** What a call did: the webhooks (secret names) it posted to. */
export interface NotifyResult {
  readonly sent: readonly string[];
}

/**
 * Creates the notifier handler. A webhook that answers with an error fails the invocation, so
 * EventBridge retries it.
 */
export function createNotifierHandler(
  options: NotifierOptions = {},
): (event: StatusChangeEvent) => Promise<NotifyResult> {
  const env = options.env ?? process.env;
  const config = options.config ?? jsonVar<NotifyConfig>(env, "STEPFLOW_NOTIFY", {});
  const secrets =
    options.secrets ??
    awsSecretStore({
      prefix: env.STEPFLOW_SECRET_PREFIX,
      client: options.secretsManager,
    });
  const sfn = lazy(async () => options.sfn ?? new (await import("@aws-sdk/client-sfn")).SFNClient({}));
  const timeoutMs = options.timeoutMs ?? 5000;

  return async (event) => {
    const flow = flowOfStateMachine(event.detail.stateMachineArn);
    const targets = (flow && config[flow]?.filter((t) => t.on.includes(event.detail.status))) || [];
    if (!flow || targets.length === 0) return { sent: [] };
    const notice = await describe(event, flow, sfn);
    const message = JSON.stringify(slackMessage(notice));
    for (const target of targets) {
      const url = await secrets.get(target.secret);
      const what = `Slack webhook of secret \`${target.secret}\``;
      const where = `for flow \`${flow}\` run \`${notice.runId}\``;
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: message,
        signal: AbortSignal.timeout(timeoutMs),
      }).catch((thrown: unknown) => {
        // fetch puts a URL it cannot parse in its message: the webhook URL is the secret.
        const cause = redactError(thrown, new Set([url]));
        throw new StepflowError(
          `could not post to the ${what} ${where}: ${cause.message}; check the URL with \`stepflow secret set ${target.secret}\``,
          { cause },
        );
      });
      if (!response.ok) {
        throw new StepflowError(
          `${what} answered ${response.status} ${where}; check the URL with \`stepflow secret set ${target.secret}\``,
        );
      }
    }
    return { sent: targets.map((t) => t.secret) };
  };
}

async function describe(
  event: StatusChangeEvent,
  flow: string,
  sfn: () => Promise<SFNClient>,
): Promise<RunNotice> {
  const d = event.detail;
  const error = runError(d.error, d.cause);
  let failedTask = error ? taskInMessage(error.message) : undefined;
  if (error && !failedTask) {
    // Best effort: a notice without the task name beats no notice.
    failedTask = await failedState(await sfn(), d.executionArn).catch(() => undefined);
  }
  return {
    flow,
    runId: d.name,
    status: d.status,
    failedTask,
    error,
    consoleUrl: consoleUrl(d.executionArn),
  };
}

/** The Lambda entry: configured from the environment once per container. */
export const notifierHandler = (() => {
  let handler: ((event: StatusChangeEvent) => Promise<NotifyResult>) | undefined;
  return (event: StatusChangeEvent) => {
    handler ??= createNotifierHandler();
    return handler(event);
  };
})();
