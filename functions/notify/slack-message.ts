/**
 * The Slack incoming-webhook message of a run notice.
 * @see https://api.slack.com/messaging/webhooks
 */
import { truncate } from "../private/truncate.ts";
import type { RunNotice } from "./run-notice.ts";

const ICON: Record<string, string> = {
  SUCCEEDED: ":large_green_circle:",
  RUNNING: ":large_blue_circle:",
  FAILED: ":red_circle:",
  TIMED_OUT: ":hourglass:",
  ABORTED: ":black_circle:",
};

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A Slack message: a one-line `text` (notifications) and the details as mrkdwn. */
export function slackMessage(n: RunNotice): { text: string; blocks: unknown[] } {
  const headline = `${ICON[n.status] ?? ""} Flow *${esc(n.flow)}* run \`${esc(n.runId)}\` ${n.status}`.trim();
  const lines = [headline];
  if (n.failedTask) lines.push(`*Task:* \`${esc(n.failedTask)}\``);
  if (n.error) {
    const message = truncate(n.error.message, 1500);
    lines.push(`*Error:* \`${esc(n.error.name)}\`${message ? ` ${esc(message)}` : ""}`);
  }
  lines.push(`<${n.consoleUrl}|Open the execution in the Step Functions console>`);
  return {
    text: `Flow ${n.flow} run ${n.runId} ${n.status}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: lines.join("\n") } }],
  };
}
