/**
 * The notifier under EventBridge's at-least-once delivery and Lambda's async retries, with its
 * notice ledger in the history table on dynalite: one Slack message per run status change.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsHistoryStore, awsNoticeLedger } from "../../functions/index.ts";
import { createNotifier, type ExecutionStatusEvent } from "../../functions/notifier.ts";
import { startWebhookRecorder, type WebhookRecorder } from "../support/http-stubs.ts";
import { createHistoryTable, startDynamo } from "./support/emulators.ts";
import { memorySecrets, quietLogger } from "./support/memory-stores.ts";

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let slack: WebhookRecorder;
let tables = 0;

beforeAll(async () => {
  [dynamo, slack] = await Promise.all([startDynamo(), startWebhookRecorder()]);
});
afterAll(async () => {
  await Promise.all([dynamo?.stop(), slack?.stop()]);
});
beforeEach(() => {
  slack.posts.length = 0;
  slack.reply = { status: 200, body: "ok" };
});

const event = (status: string, redriveCount = 0): ExecutionStatusEvent => ({
  "detail-type": "Step Functions Execution Status Change",
  detail: {
    executionArn: "arn:aws:states:eu-west-1:123456789012:execution:stepflow-to-the-moon:run-42",
    stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:stepflow-to-the-moon",
    name: "run-42",
    status,
    startDate: Date.parse("2026-11-21T08:00:00Z"),
    error: "States.Timeout",
    cause: "",
    redriveCount,
  },
});

/** A notifier as one Lambda container runs it, its ledger in `table`. */
function container(table: string, clock = Date.now, opsUrl = `${slack.url}/ops`) {
  return createNotifier({
    config: {
      "to-the-moon": [
        { kind: "slack", secret: "alerts", on: ["FAILED"] },
        { kind: "slack", secret: "ops", on: ["FAILED"] },
      ],
    },
    secrets: memorySecrets({ alerts: `${slack.url}/alerts`, ops: opsUrl }),
    logger: quietLogger(),
    ledger: awsNoticeLedger({ table, clientConfig: dynamo.config, clock }),
  });
}

const paths = () => slack.posts.map((p) => p.path);

describe("notifier idempotency", () => {
  it("posts once when the same event is delivered twice, one after the other or at once", async () => {
    const table = await createHistoryTable(dynamo.config, `notices-${++tables}`);
    expect(await container(table)(event("FAILED"))).toStrictEqual({ sent: ["alerts", "ops"], skipped: [] });
    expect(await container(table)(event("FAILED"))).toStrictEqual({ sent: [], skipped: ["alerts", "ops"] });
    const other = await createHistoryTable(dynamo.config, `notices-${++tables}`);
    const both = await Promise.all([container(other)(event("FAILED")), container(other)(event("FAILED"))]);
    expect(both.flatMap((r) => r.sent).sort()).toStrictEqual(["alerts", "ops"]);
    expect(paths().sort()).toStrictEqual(["/alerts", "/alerts", "/ops", "/ops"]);
  });

  it("posts again on the retry of a delivery whose post failed, and only the webhook that failed", async () => {
    const table = await createHistoryTable(dynamo.config, `notices-${++tables}`);
    // The second webhook is unreachable on the first delivery.
    const first = container(table, Date.now, "http://127.0.0.1:9/ops");
    await expect(first(event("FAILED"))).rejects.toThrow(/could not post to the Slack webhook of secret `ops`/);
    expect(await container(table)(event("FAILED"))).toStrictEqual({ sent: ["ops"], skipped: ["alerts"] });
    slack.reply = { status: 500, body: "down" };
    const other = await createHistoryTable(dynamo.config, `notices-${++tables}`);
    await expect(container(other)(event("FAILED"))).rejects.toThrow(/webhook of secret `alerts` answered 500/);
    slack.reply = { status: 200, body: "ok" };
    expect(await container(other)(event("FAILED"))).toStrictEqual({ sent: ["alerts", "ops"], skipped: [] });
    expect(paths()).toStrictEqual(["/alerts", "/ops", "/alerts", "/alerts", "/ops"]);
  });

  it("takes over the claim of a delivery killed while posting once its lease has run out", async () => {
    const table = await createHistoryTable(dynamo.config, `notices-${++tables}`);
    const ledger = awsNoticeLedger({ table, clientConfig: dynamo.config });
    const key = { runId: "run-42", status: "FAILED", round: 0, target: "alerts" };
    // A delivery that claimed the notice and was killed before posting or releasing it.
    expect(await ledger.claim(key, 60_000)).toBe(true);
    expect(await container(table)(event("FAILED"))).toStrictEqual({ sent: ["ops"], skipped: ["alerts"] });
    const later = container(table, () => Date.now() + 61_000);
    expect(await later(event("FAILED"))).toStrictEqual({ sent: ["alerts"], skipped: ["ops"] });
    expect(paths()).toStrictEqual(["/ops", "/alerts"]);
  });

  it("notifies a redriven run that fails again, and keeps notices out of the run's records", async () => {
    const table = await createHistoryTable(dynamo.config, `notices-${++tables}`);
    await container(table)(event("FAILED"));
    expect((await container(table)(event("FAILED", 1))).sent).toStrictEqual(["alerts", "ops"]);
    expect(paths()).toHaveLength(4);
    const { run, tasks, children } = await awsHistoryStore({ table, clientConfig: dynamo.config }).getRun("run-42");
    expect([run, tasks, children]).toStrictEqual([undefined, [], []]);
  });
});
