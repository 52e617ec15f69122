/**
 * The notifier core: on a run status change of a flow whose `notify` asks for that status,
 * posts a Slack message (flow, run id, status, failing task, error, console link) to the
 * webhook URL held in the notifier's secret. Its Lambda entry is `createNotifierHandler` (lambda.ts).
 */

import { Logger } from "@aws-lambda-powertools/logger";
import type { SFNClient } from "@aws-sdk/client-sfn";
import { StepflowError } from "../sdk/core/errors.ts";
import { failedState } from "./notify/failed-state.ts";
import { slackMessage } from "./notify/slack-message.ts";
import { consoleUrl, type ExecutionStatusEvent, flowOfStateMachine } from "./status-event.ts";
import { type RunNotice, runError, taskInMessage } from "./notify/run-notice.ts";
import { redactError } from "./private/task-error.ts";
import type { NoticeLedger, SecretStore } from "./stores/types.ts";
import type { NotifyConfig } from "../sdk/core/notify-config.ts";

export type { ExecutionStatusEvent } from "./status-event.ts";

/** What the notifier needs (the Lambda entry, `createNotifierHandler`, builds it from the environment). */
export interface NotifierDeps {
  /** Notifiers by flow (env `STEPFLOW_NOTIFY` on Lambda). */
  readonly config: NotifyConfig;
  /** Where webhook URLs are read. */
  readonly secrets: SecretStore;
  /**
   * A Step Functions client, to read the execution history for the failed task's name when the
   * error does not give it. @default none: such a notice goes without the task name
   */
  readonly sfn?: () => Promise<SFNClient>;
  /** HTTP timeout of a webhook POST, in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** Which notices were sent, so a redelivered event posts once. @default none: each delivery posts */
  readonly ledger?: NoticeLedger;
  /** How long a claim on a notice holds before a retry may take it over. @default 60000, past the notifier's 30 s timeout */
  readonly leaseMs?: number;
  /** @default a Powertools Logger, service `stepflow-notifier` */
  readonly logger?: Logger;
}

/** What a call did: the webhooks (secret names) it posted to, and those it left to another delivery. */
export interface NotifyResult {
  readonly sent: readonly string[];
  /** Notices already sent, or being sent, by another delivery of the same event. */
  readonly skipped: readonly string[];
}

/**
 * Creates the notifier: one Slack message per run status change (and redrive round) and
 * webhook, however often the event is delivered. A webhook that answers with an error fails the
 * invocation (its claim released), so the event is retried and, when retries run out, kept in
 * the dead-letter queue.
 * @example const notify = createNotifier({ config, secrets: awsSecretStore() });
 */
export function createNotifier(deps: NotifierDeps): (event: ExecutionStatusEvent) => Promise<NotifyResult> {
  const { config, ledger } = deps;
  const logger = deps.logger ?? new Logger({ serviceName: "stepflow-notifier" });
  const post = poster(deps.secrets, deps.timeoutMs ?? 5000);
  const leaseMs = deps.leaseMs ?? 60_000;

  return async (event) => {
    const flow = flowOfStateMachine(event.detail.stateMachineArn);
    const targets = (flow && config[flow]?.filter((t) => t.on.includes(event.detail.status))) || [];
    if (!flow || targets.length === 0) return { sent: [], skipped: [] };
    const notice = await describe(event, flow, deps.sfn);
    const message = JSON.stringify(slackMessage(notice));
    const sent: string[] = [];
    const skipped: string[] = [];
    for (const target of targets) {
      const key = { runId: notice.runId, status: notice.status, round: event.detail.redriveCount ?? 0, target: target.secret };
      const about = { flow, runId: notice.runId, status: notice.status, secret: target.secret };
      if (ledger && !(await ledger.claim(key, leaseMs))) {
        logger.info("left the notice to the delivery that claimed it", about);
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
      logger.info("posted the run notice", about);
      // Posted: a failure to mark it now must not fail the invocation, whose retry would post again.
      await ledger?.sent(key).catch((error: unknown) => {
        logger.error("posted, but could not record the notice as sent", { ...about, error: String(error) });
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

async function describe(
  event: ExecutionStatusEvent,
  flow: string,
  sfn: (() => Promise<SFNClient>) | undefined,
): Promise<RunNotice> {
  const d = event.detail;
  const error = runError(d.error, d.cause);
  let failedTask = error ? taskInMessage(error.message) : undefined;
  if (error && !failedTask && sfn) {
    // Best effort: a notice without the task name beats no notice.
    failedTask = await sfn().then((client) => failedState(client, d.executionArn)).catch(() => undefined);
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
