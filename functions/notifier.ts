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
import { consoleUrl, type ExecutionStatusEvent, flowOfStateMachine } from "./status-event.ts";
import { type RunNotice, runError, taskInMessage } from "./notify/run-notice.ts";
import { lazy } from "./private/lazy.ts";
import { redactError } from "./private/task-error.ts";
import { lambdaDeadline, withDeadline } from "./private/deadline.ts";
import { awsNoticeLedger } from "./stores/aws-notice-ledger.ts";
import { awsSecretStore } from "./stores/aws-secret-store.ts";
import type { NoticeLedger, SecretStore } from "./stores/types.ts";
import type { NotifyConfig } from "../sdk/core/notify-config.ts";
import { jsonVar, type LambdaEnv, ttlDays } from "./private/lambda-env.ts";

export type { ExecutionStatusEvent } from "./status-event.ts";


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
  /**
   * Which notices were sent, so a redelivered event posts once.
   * @default the history table of env `STEPFLOW_HISTORY_TABLE` (none when it is not set)
   */
  readonly ledger?: NoticeLedger;
  /** How long a claim on a notice holds before a retry may take it over. @default 60000, past the notifier's 30 s timeout */
  readonly leaseMs?: number;
}

/** What a call did: the webhooks (secret names) it posted to, and those it left to another delivery. */
export interface NotifyResult {
  readonly sent: readonly string[];
  /** Notices already sent, or being sent, by another delivery of the same event. */
  readonly skipped: readonly string[];
}

/**
 * Creates the notifier handler: one Slack message per run status change (and redrive round) and
 * webhook, however often the event is delivered. A webhook that answers with an error fails the
 * invocation (its claim released), so the event is retried and, when retries run out, kept in
 * the dead-letter queue.
 */
export function createNotifierHandler(
  options: NotifierOptions = {},
): (event: ExecutionStatusEvent) => Promise<NotifyResult> {
  const env = options.env ?? process.env;
  const config = options.config ?? jsonVar<NotifyConfig>(env, "STEPFLOW_NOTIFY", {});
  const secrets =
    options.secrets ??
    awsSecretStore({
      prefix: env.STEPFLOW_SECRET_PREFIX,
      client: options.secretsManager,
    });
  const sfn = lazy(async () => options.sfn ?? new (await import("@aws-sdk/client-sfn")).SFNClient({}));
  const ledger = options.ledger ?? defaultLedger(env);
  const post = poster(secrets, options.timeoutMs ?? 5000);
  const leaseMs = options.leaseMs ?? 60_000;

  return async (event) => {
    const flow = flowOfStateMachine(event.detail.stateMachineArn);
    const targets = (flow && config[flow]?.filter((t) => t.on.includes(event.detail.status))) || [];
    if (!flow || targets.length === 0) return { sent: [], skipped: [] };
    const notice = await describe(event, flow, sfn);
    const message = JSON.stringify(slackMessage(notice));
    const sent: string[] = [];
    const skipped: string[] = [];
    for (const target of targets) {
      const key = { runId: notice.runId, status: notice.status, round: event.detail.redriveCount ?? 0, target: target.secret };
      if (ledger && !(await ledger.claim(key, leaseMs))) {
        skipped.push(target.secret);
        continue;
      }
      try {
        await post(target.secret, message, `for flow \`${flow}\` run \`${notice.runId}\``);
      } catch (error) {
        // Best effort: an unreleased claim only delays the retry until its lease runs out.
        await ledger?.release(key).catch(() => undefined);
        throw error;
      }
      sent.push(target.secret);
      // Posted: a failure to mark it now must not fail the invocation, whose retry would post again.
      await ledger?.sent(key).catch((error: unknown) => {
        const line = { level: "ERROR", message: "posted, but could not record the notice as sent", runId: notice.runId, error: String(error) };
        console.error(JSON.stringify(line));
      });
    }
    return { sent, skipped };
  };
}

/** Posts `message` to the webhook of secret `name`; errors name the secret, never its URL. */
function poster(secrets: SecretStore, timeoutMs: number) {
  return async (name: string, message: string, where: string): Promise<void> => {
    const url = await secrets.get(name);
    const what = `Slack webhook of secret \`${name}\``;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: message,
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((thrown: unknown) => {
      // fetch puts a URL it cannot parse in its message: the webhook URL is the secret.
      const cause = redactError(thrown, new Set([url]));
      throw new StepflowError(
        `could not post to the ${what} ${where}: ${cause.message}; check the URL with \`stepflow secret set ${name}\``,
        { cause },
      );
    });
    if (!response.ok) {
      throw new StepflowError(
        `${what} answered ${response.status} ${where}; check the URL with \`stepflow secret set ${name}\``,
      );
    }
  };
}

/** The ledger in the history table the stack names, if it names one. */
function defaultLedger(env: LambdaEnv): NoticeLedger | undefined {
  const table = env.STEPFLOW_HISTORY_TABLE;
  return table ? awsNoticeLedger({ table, ttlDays: ttlDays(env) }) : undefined;
}

async function describe(
  event: ExecutionStatusEvent,
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
  let handler: ((event: ExecutionStatusEvent) => Promise<NotifyResult>) | undefined;
  return (event: ExecutionStatusEvent, context?: unknown) => {
    const h = (handler ??= createNotifierHandler());
    return withDeadline(lambdaDeadline(context), () => h(event));
  };
})();
