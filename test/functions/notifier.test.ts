import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createNotifierHandler } from "../../functions/lambda.ts";
import { createNotifier, type ExecutionStatusEvent } from "../../functions/notifier.ts";
import { awsSecretStore } from "../../functions/stores/aws-secret-store.ts";
import { startWebhookRecorder, type WebhookRecorder } from "../support/http-stubs.ts";
import { lambdaContext } from "./support/lambda-context.ts";
import { captureLogs, quietLogger } from "./support/memory-stores.ts";

const secretsManager = mockClient(SecretsManagerClient);
const sfn = mockClient(SFNClient);

/** A stand-in for Slack's webhook endpoint on 127.0.0.1. */
let slack: WebhookRecorder;
let base: string;
/** The Slack messages received, bodies parsed. */
const received = () =>
  slack.posts.map((p) => ({
    path: p.path,
    body: JSON.parse(p.body) as { text: string; blocks: { text: { text: string } }[] },
  }));

beforeAll(async () => {
  slack = await startWebhookRecorder();
  base = slack.url;
});
afterAll(async () => {
  // The mocks patch the client classes: later files in the same process send for real again.
  secretsManager.restore();
  sfn.restore();
  await slack.stop();
});
beforeEach(() => {
  slack.posts.length = 0;
  slack.reply = { status: 200, body: "ok" };
  secretsManager.reset();
  sfn.reset();
  secretsManager
    .on(GetSecretValueCommand, { SecretId: "stepflow/slack-webhook" })
    .resolves({ SecretString: `${base}/hook/1` });
  secretsManager
    .on(GetSecretValueCommand, { SecretId: "stepflow/ops-webhook" })
    .resolves({ SecretString: `${base}/hook/ops` });
});

const arn = "arn:aws:states:eu-west-1:123456789012:execution:stepflow-to-the-moon:run-42";
function event(
  status: ExecutionStatusEvent["detail"]["status"],
  extra: Partial<ExecutionStatusEvent["detail"]> = {},
): ExecutionStatusEvent {
  return {
    "detail-type": "Step Functions Execution Status Change",
    region: "eu-west-1",
    detail: {
      executionArn: arn,
      stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:stepflow-to-the-moon",
      name: "run-42",
      status,
      startDate: Date.parse("2026-11-21T08:00:00Z"),
      ...extra,
    },
  };
}

const CONFIG = {
  "to-the-moon": [
    { kind: "slack", secret: "slack-webhook", on: ["FAILED", "TIMED_OUT"] },
    { kind: "slack", secret: "ops-webhook", on: ["SUCCEEDED"] },
  ],
} as const;

function notifier() {
  return createNotifier({
    config: CONFIG,
    logger: quietLogger(),
    secrets: awsSecretStore({ client: new SecretsManagerClient({ region: "eu-west-1" }) }),
    sfn: async () => new SFNClient({ region: "eu-west-1" }),
    // Each test builds its own handler, so the secret store's cache never leaks between tests.
  });
}

describe("notifierHandler", () => {
  it("posts a failed run to the flow's Slack webhook with flow, run, task, error and console link", async () => {
    const cause = JSON.stringify({ errorType: "RateLimited", errorMessage: "coin API said 429", trace: [] });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 9, previousEventId: 8, type: "ExecutionFailed", timestamp: new Date() },
        { id: 8, previousEventId: 7, type: "TaskFailed", timestamp: new Date() },
        { id: 7, previousEventId: 6, type: "TaskStarted", timestamp: new Date() },
        { id: 6, previousEventId: 5, type: "TaskScheduled", timestamp: new Date() },
        {
          id: 5,
          previousEventId: 4,
          type: "TaskStateEntered",
          stateEnteredEventDetails: { name: "get-data" },
          timestamp: new Date(),
        },
      ],
    });
    const result = await notifier()(event("FAILED", { error: "RateLimited", cause }));
    expect(result.sent).toEqual(["slack-webhook"]);
    expect(received()).toHaveLength(1);
    expect(received()[0].path).toBe("/hook/1");
    const text = received()[0].body.blocks[0].text.text;
    expect(received()[0].body.text).toBe("Flow to-the-moon run run-42 FAILED");
    expect(text).toContain("*to-the-moon*");
    expect(text).toContain("`run-42`");
    expect(text).toContain("*Task:* `get-data`");
    expect(text).toContain("*Error:* `RateLimited` coin API said 429");
    expect(text).toContain(
      `<https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${arn}|`,
    );
  });

  it("posts for a staged deploy's machine (`<stage>-stepflow-<flow>`) as for the default stage's", async () => {
    const staged = "arn:aws:states:eu-west-1:123456789012:stateMachine:dev-stepflow-to-the-moon";
    const result = await notifier()(event("SUCCEEDED", { stateMachineArn: staged }));
    expect(result.sent).toEqual(["ops-webhook"]);
    expect(received()[0].body.text).toBe("Flow to-the-moon run run-42 SUCCEEDED");
  });

  it("names the task from a stepflow error message without reading history", async () => {
    const cause = JSON.stringify({
      errorType: "TaskTimeoutError",
      errorMessage: "task `get-data` (state `get-data_2`) did not finish within its `timeout` of 30 seconds",
    });
    await notifier()(event("TIMED_OUT", { error: "TaskTimeoutError", cause }));
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
    expect(received()[0].body.blocks[0].text.text).toContain("*Task:* `get-data_2`");
  });

  it.each(["RUNNING", "ABORTED"] as const)(
    "sends nothing for %s, which no notifier asks for",
    async (status) => {
      expect((await notifier()(event(status))).sent).toEqual([]);
      expect(received()).toEqual([]);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    },
  );

  it("sends each status to the notifiers that ask for it", async () => {
    expect((await notifier()(event("SUCCEEDED"))).sent).toEqual(["ops-webhook"]);
    expect(received().map((r) => r.path)).toEqual(["/hook/ops"]);
  });

  it("ignores state machines that are not stepflow flows or have no notifiers", async () => {
    const other = event("FAILED");
    const foreign = {
      ...other,
      detail: {
        ...other.detail,
        stateMachineArn: other.detail.stateMachineArn.replace("stepflow-to-the-moon", "billing"),
      },
    };
    const quiet = {
      ...other,
      detail: {
        ...other.detail,
        stateMachineArn: other.detail.stateMachineArn.replace("to-the-moon", "hello"),
      },
    };
    expect((await notifier()(foreign)).sent).toEqual([]);
    expect((await notifier()(quiet)).sent).toEqual([]);
    expect(received()).toEqual([]);
  });

  it("fails without the webhook URL in the error when the secret holds no valid URL", async () => {
    const url = "hooks.slack.com/services/T000/B000/not-a-url-secret";
    secretsManager.on(GetSecretValueCommand, { SecretId: "stepflow/slack-webhook" }).resolves({ SecretString: url });
    const error = (await notifier()(event("FAILED", { error: "States.Timeout", cause: "" })).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(
      /could not post to the Slack webhook of secret `slack-webhook` for flow `to-the-moon` run `run-42`: Failed to parse URL from \*\*\*/,
    );
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(url);
    expect(String(error.stack)).not.toContain(url);
    expect(String((error.cause as Error).message)).not.toContain(url);
  });

  it("fails, naming the secret and the status, when Slack rejects the message (so EventBridge retries)", async () => {
    slack.reply = { status: 403, body: "invalid_token" };
    await expect(notifier()(event("FAILED", { error: "States.Timeout", cause: "" }))).rejects.toThrow(
      /webhook of secret `slack-webhook` answered 403 for flow `to-the-moon` run `run-42`/,
    );
  });

  it("runs as a Lambda entry like the task and recorder ones: configured from the environment, the Lambda context on every log line", async () => {
    // As Lambda sets it for an on-demand environment: Powertools reports cold starts only there.
    vi.stubEnv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    const handler = createNotifierHandler({
      env: { STEPFLOW_NOTIFY: JSON.stringify(CONFIG) },
      clients: { secretsManager: { region: "eu-west-1" }, sfn: { region: "eu-west-1" } },
    });
    const logs = captureLogs();
    try {
      await handler(event("SUCCEEDED"), lambdaContext("req-1", "stepflow-notifier"));
      await handler(event("FAILED", { error: "States.Timeout", cause: "" }), lambdaContext("req-2", "stepflow-notifier"));
    } finally {
      logs.restore();
      vi.unstubAllEnvs();
    }
    expect(received().map((r) => r.path)).toEqual(["/hook/ops", "/hook/1"]);
    const ours = logs.lines.filter((l) => l.service === "stepflow-notifier");
    expect(ours.map((l) => [l.message, l.secret, l.function_request_id, l.function_name, l.cold_start])).toEqual([
      ["posted the run notice", "ops-webhook", "req-1", "stepflow-notifier", true],
      ["posted the run notice", "slack-webhook", "req-2", "stepflow-notifier", false],
    ]);
  });

  it("fails its invocation with a clear error when `STEPFLOW_NOTIFY` is not JSON", async () => {
    const handler = createNotifierHandler({ env: { STEPFLOW_NOTIFY: "{not json" } });
    await expect(handler(event("FAILED"))).rejects.toThrow(/env `STEPFLOW_NOTIFY` is not JSON/);
  });
});
