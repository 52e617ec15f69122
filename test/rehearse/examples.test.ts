/**
 * The example flows rehearsed: their stack synthesized, deployed by CloudFormation into moto,
 * and run there (moto's Step Functions interpreter, the real Lambda bundles, IAM evaluated for
 * every request), each result compared with `runLocal`'s. A deploy failure, an IAM denial, a
 * wiring problem (an event target failing) or a different result fails the suite.
 * Needs python3 with moto 5.2.1 (`pip install "moto[server]==5.2.1"`); set
 * `STEPFLOW_SKIP_REHEARSAL=1` to skip it on a machine without moto.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnyFlow } from "stepflow";
import { runLocal } from "stepflow/local";
import { Rehearsal, type RehearsalRun } from "stepflow/rehearse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoDip } from "../../flows/crypto-dip.ts";
import { etlMonths } from "../../flows/etl.ts";
import { hello } from "../../flows/hello.ts";
import { marketData } from "../../flows/market-data.ts";
import { startPostgres, type TestPostgres } from "../flows/support/postgres.ts";
import { hoggy, trespass } from "./fixtures/trespass.ts";
import { whenBeside, whenFirst, whenInBranch, whenSlots } from "./fixtures/when-values.ts";
import { close, listen, startWebhookRecorder, type WebhookRecorder } from "../support/http-stubs.ts";

const SKIP = process.env.STEPFLOW_SKIP_REHEARSAL === "1";
/** One synth + deploy of four flows on 2 busy cores. */
const DEPLOY_MS = 600_000;
const RUN_MS = 300_000;

let rehearsal: Rehearsal;
let postgres: TestPostgres;
let slack: WebhookRecorder;
let dir: string;
/** `flows/data/` over HTTP: deployed tasks do not ship the sample files, as on AWS. */
const data = createServer((req, res) => {
  try {
    res.end(readFileSync(new URL(`../../flows/data${new URL(req.url ?? "/", "http://x").pathname}`, import.meta.url)));
  } catch {
    res.writeHead(404).end();
  }
});
let dataUrl: string;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  [postgres, slack, dataUrl] = await Promise.all([startPostgres(), startWebhookRecorder(), listen(data)]);
  dir = mkdtempSync(join(tmpdir(), "stepflow-rehearse-local-"));
  // slack-webhook stays unset until the dip case, to rehearse a missing secret first.
  secrets["postgres-url"] = postgres.url;
  rehearsal = await Rehearsal.start({ flows: [hello, cryptoDip, marketData, etlMonths, trespass, hoggy, whenSlots, whenFirst, whenBeside, whenInBranch], secrets });
}, DEPLOY_MS);

afterAll(async () => {
  await rehearsal?.stop();
  postgres?.stop();
  await slack?.stop();
  await close(data);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The same run with `runLocal` (the secrets as local environment variables, failing when unset as on AWS). */
async function local(flow: AnyFlow, params: Record<string, unknown>) {
  const env = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [`STEPFLOW_SECRET_${k.toUpperCase().replace(/-/g, "_")}`, v]));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await runLocal(flow, params, { dir, fastRetries: true, missingSecrets: "fail" });
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
  }
}

/** Task attempts as `state#index attempt status` (history says `mapIndex`, runLocal `index`). */
const attempts = (tasks: readonly { state: string; mapIndex?: number; index?: number; attempt: number; status: string }[]) =>
  tasks.map((t) => `${t.state}#${t.mapIndex ?? t.index ?? 0} ${t.attempt} ${t.status}`).sort();

/** Rehearses `flow` and checks it ends as `runLocal` ends, with no IAM or wiring problem (but `problems`). */
async function rehearseLikeLocal(flow: AnyFlow, params: Record<string, unknown>, problems: RegExp[] = []): Promise<RehearsalRun> {
  const run = await rehearsal.run(flow, params);
  const expected = await local(flow, params);
  expect(run.problems).toHaveLength(problems.length);
  problems.forEach((p, i) => expect(run.problems[i]).toMatch(p));
  expect(run.status).toBe(expected.status);
  if (expected.status === "SUCCEEDED") expect(run.result).toStrictEqual(expected.result);
  else expect(run.error?.name).toBe(expected.error?.name);
  expect(attempts(run.tasks)).toStrictEqual(attempts(expected.tasks.filter((t) => t.flow === flow.flowName)));
  return run;
}

describe.skipIf(SKIP)("rehearsing the example flows in an emulated AWS account", () => {
  it("runs hello with the result runLocal gives, and the recorder writes the run to history", async () => {
    const run = await rehearseLikeLocal(hello, { name: "Ada" });
    expect(run.result).toBe("HELLO, ADA!");
    const record = await rehearsal.client().run(run.runId);
    expect(record.status).toBe("SUCCEEDED");
  }, RUN_MS);

  it("fails crypto-dip's Slack post when its secret is not set, as runLocal does with strict secrets", async () => {
    // The notifier cannot post the failure either: its webhook is the same missing secret.
    const run = await rehearseLikeLocal(cryptoDip, { coin: "DOGE", threshold: 10, source: "fixture" }, [
      /RunStatusNotifier.*FAILED event: SecretNotFoundError: secret `slack-webhook`/,
    ]);
    expect(run.status).toBe("FAILED");
    expect(run.tasks.filter((t) => t.state === "post-to-slack").map((t) => t.status)).toContain("FAILED");
  }, RUN_MS);

  it("fails crypto-dip without retries on a NonRetriableError, and the notifier posts the failure", async () => {
    slack.posts.length = 0;
    secrets["slack-webhook"] = `${slack.url}/services/T0/B0/rehearsal`;
    await rehearsal.client().setSecret("slack-webhook", secrets["slack-webhook"]);
    const run = await rehearseLikeLocal(cryptoDip, { coin: "NOPE", source: "fixture" });
    expect(run.error?.name).toBe("NonRetriableError");
    expect(run.tasks.map((t) => t.attempt)).toStrictEqual([0]);
    // The notifier ran from the delivered FAILED event (runLocal posts nothing for it).
    expect(slack.posts.some((p) => JSON.stringify(p.body).includes(run.runId))).toBe(true);
  }, RUN_MS);

  it.each([
    ["dips", "DOGE", true],
    ["does not dip", "BTC", false],
  ])("runs crypto-dip when the coin %s as runLocal does", async (_, coin, dipped) => {
    const run = await rehearseLikeLocal(cryptoDip, { coin, threshold: 10, source: "fixture" });
    expect(run.result).toBe(dipped);
    expect(run.tasks.some((t) => t.state === "post-to-slack")).toBe(dipped);
  }, RUN_MS);

  it.each([
    [whenSlots, { n: 20 }, "20/20/200"],
    [whenSlots, { n: 21 }, "21/21/-1"],
    [whenSlots, { n: 3 }, "3/undefined/undefined"],
    [whenFirst, { n: 3, flag: true }, 30],
    [whenFirst, { n: 3, flag: false }, -1],
    [whenBeside, { n: 3, flag: true }, "3/3"],
    [whenBeside, { n: 3, flag: false }, "3/undefined"],
    [whenInBranch, { n: 3, flag: true }, "3/30"],
    [whenInBranch, { n: 3, flag: false }, "3/-1"],
  ] as const)("reads a `when`'s missing value as undefined, as runLocal does (%#)", async (flow, params, expected) => {
    expect((await rehearseLikeLocal(flow, params)).result).toBe(expected);
  }, RUN_MS);

  it("runs market-data's map of depth-first chains and returns the Parquet keys runLocal returns", async () => {
    const run = await rehearseLikeLocal(marketData, { indexName: "MEGA-3", source: `${dataUrl}/market/{symbol}.us.csv` });
    expect(run.result).toHaveLength(6);
  }, RUN_MS);

  it("fails the rehearsal when a task reads another flow's results, naming IAM's action, resource and role", async () => {
    const run = await rehearsal.run(trespass, { runId: "r1" });
    // The task sees AWS's answer; the rehearsal reports why.
    expect(run.result).toBe("AccessDenied");
    expect(run.problems).toHaveLength(1);
    expect(run.problems[0]).toMatch(
      /^function `FlowtrespassTaskpeekFunction\w+`: `s3:GetObject` on `arn:aws:s3:::[\w-]+\/runs\/hello\/r1\/greet\/0\.json` by role `FlowtrespassTaskpeekRole\w+` .* is implicitly denied/,
    );
  }, RUN_MS);

  it("stops a task blocked past its Lambda timeout with Sandbox.Timedout, as Lambda does", async () => {
    const run = await rehearsal.run(hoggy, { ms: 20_000 });
    expect(run.status).toBe("FAILED");
    expect(run.error?.name).toBe("Sandbox.Timedout");
  }, RUN_MS);

  it("runs etl-months' three .sync:2 subflows into PostgreSQL with runLocal's result", async () => {
    const run = await rehearseLikeLocal(etlMonths, { table: "orders_rehearsed", source: `${dataUrl}/orders/{month}.csv` });
    expect(run.result).toMatchObject({ months: ["2024-01", "2024-02", "2024-03"] });
  }, RUN_MS);
});
