import { UsageError } from "../core/errors.ts";
import { type RunStatus, STATUSES } from "../core/status.ts";
import { isRef, type Ref } from "./ref.ts";
import type { Notifier } from "../graph/options.ts";

/** Options of `slack(...)`. */
export interface SlackOptions {
  /** Statuses that send a message. @default ["FAILED", "TIMED_OUT", "ABORTED"] */
  readonly on?: readonly RunStatus[];
}

/**
 * Posts to Slack when a run changes status.
 * @example notify: [slack(secret("slack-webhook"), { on: ["FAILED", "TIMED_OUT"] })]
 */
export function slack(webhook: Ref<string>, options: SlackOptions = {}): Notifier {
  if (!isRef(webhook) || webhook.source.kind !== "secret") {
    throw new UsageError(
      '`slack(webhook)` needs the webhook URL as a secret; write `slack(secret("slack-webhook"))`',
    );
  }
  const on = options.on ?? ["FAILED", "TIMED_OUT", "ABORTED"];
  const bad = on.filter((s) => !STATUSES.includes(s));
  if (bad.length > 0) {
    throw new UsageError(
      `\`slack\` option \`on\` has unknown status ${bad.map((s) => `\`${s}\``).join(", ")}; use ${STATUSES.join(", ")}`,
    );
  }
  return Object.freeze({ kind: "slack", secret: webhook.source.name, on: [...on] });
}
