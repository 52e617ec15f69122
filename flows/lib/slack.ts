/** Posting to a Slack incoming webhook from an example task. */

/** What a post did: `posted` is false when the webhook was empty (secret unset in a local run). */
export interface SlackPost {
  readonly posted: boolean;
  readonly text: string;
}

/**
 * Posts `text` to the webhook; with an empty webhook (a secret not set locally) it logs the
 * message instead, so the flow runs before its secrets exist.
 * @throws Error naming Slack's status when it refuses the message (the task's retries apply).
 */
export async function postToWebhook(webhook: string, text: string): Promise<SlackPost> {
  if (webhook === "") {
    console.log(`secret slack-webhook is not set; would post to Slack: ${text}`);
    return { posted: false, text };
  }
  const response = await fetch(webhook, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
  if (!response.ok) throw new Error(`Slack answered ${response.status} to the message "${text.slice(0, 60)}"`);
  return { posted: true, text };
}
