import { readFileSync } from "node:fs";
/**
 * What we deploy is what we run: the example flows are synthesized into a cloud assembly, and
 * each state machine's definition from the template (substitutions resolved to fake ARNs) is
 * executed with every Task state bound to the Lambda bundle CloudFormation would deploy for it,
 * `import()`ed from the assembly and called with the Lambda's environment from the template.
 * The bundles reach S3, DynamoDB and Secrets Manager emulators through the standard SDK
 * environment variables only, and the history table is created from its synthesized definition.
 */

import { rmSync } from "node:fs";
import { dirname, relative } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cryptoDip } from "../../flows/crypto-dip.ts";
import { hello } from "../../flows/hello.ts";
import { Resolver } from "../../infra/rehearse/intrinsics.ts";
import { captureLogs } from "../functions/support/memory-stores.ts";
import { startWebhookRecorder, type WebhookRecorder } from "../support/http-stubs.ts";
import { report } from "./fixtures/flows.ts";
import { type AwsEmulators, startAwsEmulators } from "./support/aws-env.ts";
import { type Deployment, readDeployment, resourcesOfType } from "./support/cloud-assembly.ts";
import { createTableInput, type DeployedMachine, deployedMachine } from "./support/deployed-machine.ts";
import { DeployedRunner } from "./support/run-deployed.ts";
import { E2E_ENV, EXAMPLES_STACK, synthExamples } from "./support/synth-app.ts";

const WEBHOOK_SECRET = "T0/B0/e2e-secret-part";

let outdir: string;
let deployment: Deployment;
let resolver: Resolver;
let aws: AwsEmulators;
let runner: DeployedRunner;
let bucket: string;
let table: string;
let logs: ReturnType<typeof captureLogs>;
let slack: WebhookRecorder;
const machines = new Map<string, DeployedMachine>();
const machine = (name: string) => {
  let m = machines.get(name);
  if (!m) {
    m = deployedMachine(deployment, resolver, name);
    machines.set(name, m);
  }
  return m;
};

beforeAll(async () => {
  outdir = synthExamples([hello, cryptoDip, report]);
  deployment = readDeployment(outdir, EXAMPLES_STACK);
  resolver = new Resolver(deployment.template, E2E_ENV);
  const only = (type: string) => {
    const found = resourcesOfType(deployment.template, type);
    expect(found, type).toHaveLength(1);
    return found[0][0];
  };
  bucket = resolver.ref(only("AWS::S3::Bucket"));
  const tableId = only("AWS::DynamoDB::GlobalTable");
  table = resolver.ref(tableId);
  slack = await startWebhookRecorder();
  aws = await startAwsEmulators(bucket, {
    "stepflow/slack-webhook": `${slack.url}/services/${WEBHOOK_SECRET}`,
  });
  await aws.createTable(createTableInput(deployment, resolver, tableId));
  runner = new DeployedRunner(machine);
  logs = captureLogs();
}, 180_000); // synthesis bundles the AWS SDK into every task bundle: slow on a loaded machine

afterAll(async () => {
  logs?.restore();
  runner?.restoreEnv();
  await aws?.stop();
  await slack?.stop();
  if (outdir) rmSync(dirname(outdir), { recursive: true, force: true });
});

const documents = () => DynamoDBDocumentClient.from(new DynamoDBClient(aws.dynamo.config));

/** The task-run items the bundles wrote for a run: `state#index attempt status`. */
async function taskHistory(runId: string): Promise<string[]> {
  const out = await documents().send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": `RUN#${runId}` },
    }),
  );
  return (out.Items ?? [])
    .filter((i) => i.type === "task")
    .map((i) => `${i.state}#${i.mapIndex ?? 0} ${i.attempt} ${i.status}`)
    .sort();
}

describe("the synthesized example stack", () => {
  it.each(["stepflow-hello", "stepflow-crypto-dip", "stepflow-e2e-report"])(
    "binds every Task state of %s to a Lambda bundle in the cloud assembly, with the stack's bucket and table",
    (name) => {
      const m = machine(name);
      expect(m.lambdas.size).toBeGreaterThan(0);
      for (const lambda of m.lambdas.values()) {
        expect(relative(outdir, lambda.file)).toMatch(/^asset\.[0-9a-f]{64}\/index\.mjs$/);
        expect(lambda.exportName).toBe("handler");
        expect(lambda.env).toMatchObject({
          STEPFLOW_RESULTS_BUCKET: bucket,
          STEPFLOW_HISTORY_TABLE: table,
          STEPFLOW_SECRET_PREFIX: "stepflow/",
        });
      }
    },
  );
});

describe("task bundles", () => {
  it("hold only their task's code, even when the flow calls a subflow from another module", () => {
    const report = machine("stepflow-e2e-report");
    const hello = machine("stepflow-hello");
    const helloBundles = new Set([...hello.lambdas.values()].map((l) => l.file));
    for (const lambda of report.lambdas.values()) {
      if (helloBundles.has(lambda.file)) continue;
      const code = readFileSync(lambda.file, "utf8");
      // hello's tasks build "Hello, <name>" and upper-case it; none of that belongs here.
      expect(code).not.toContain("Hello, ");
      // The AWS SDK v3 is bundled (about 650 KB of each bundle); the task code and runtime are small.
      expect(code.length).toBeLessThan(1_500_000);
    }
  });
});

describe("deployed flows run with their bundles", () => {
  it("runs hello with its schedule's input from the template: both bundles, history in DynamoDB", async () => {
    const rules = resourcesOfType(deployment.template, "AWS::Events::Rule").map(
      ([, r]) => r.Properties ?? {},
    );
    const schedule = rules.find((r) => r.ScheduleExpression === "rate(1 day)");
    expect(schedule, "hello's schedule rule").toBeDefined();
    const input = JSON.parse(String((schedule!.Targets as { Input: string }[])[0].Input));
    expect(input).toStrictEqual({ name: "world" });
    const before = runner.invocations.length;

    const run = await runner.run("stepflow-hello", input);

    expect(run).toMatchObject({ status: "SUCCEEDED", output: { v: "HELLO, WORLD!" } });
    expect(runner.invocations.slice(before)).toStrictEqual(["greet", "shout"]);
    expect(await taskHistory(run.runId)).toStrictEqual(["greet#0 0 SUCCEEDED", "shout#0 0 SUCCEEDED"]);
  });

  it("runs crypto-dip on a dip: reads the webhook from Secrets Manager, posts to it, never logs it", async () => {
    const before = runner.invocations.length;
    const run = await runner.run("stepflow-crypto-dip", cryptoDip.parse({ coin: "DOGE" }));

    expect(run).toMatchObject({ status: "SUCCEEDED", output: { v: true } });
    expect(runner.invocations.slice(before)).toStrictEqual(["get-data", "detect-dip", "post-to-slack"]);
    expect(aws.secretsManager.requests).toStrictEqual([
      {
        target: "secretsmanager.GetSecretValue",
        operation: "GetSecretValue",
        body: { SecretId: "stepflow/slack-webhook" },
      },
    ]);
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0].path).toBe(`/services/${WEBHOOK_SECRET}`);
    expect(JSON.parse(slack.posts[0].body).text).toMatch(
      /There has been a dip: DOGE is at \$[\d.]+, 19\.3% below/,
    );
    expect(await taskHistory(run.runId)).toStrictEqual([
      "detect-dip#0 0 SUCCEEDED",
      "get-data#0 0 SUCCEEDED",
      "post-to-slack#0 0 SUCCEEDED",
    ]);
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs.lines)).not.toContain(WEBHOOK_SECRET);
    const items = await documents().send(new ScanCommand({ TableName: table }));
    expect(JSON.stringify(items.Items)).not.toContain(WEBHOOK_SECRET);
  });

  it("runs crypto-dip without a dip: the Choice state skips post-to-slack", async () => {
    const before = runner.invocations.length;
    const run = await runner.run("stepflow-crypto-dip", cryptoDip.parse({ coin: "BTC" }));

    expect(run).toMatchObject({ status: "SUCCEEDED", output: { v: false } });
    expect(runner.invocations.slice(before)).toStrictEqual(["get-data", "detect-dip"]);
  });

  it("fails crypto-dip on an unknown coin with the bundle's NonRetriableError, which no retrier retries", async () => {
    const before = runner.invocations.length;
    const run = await runner.run("stepflow-crypto-dip", cryptoDip.parse({ coin: "NOPE" }));

    expect(run.status).toBe("FAILED");
    expect(run.error?.name).toBe("NonRetriableError");
    expect(run.error?.message).toMatch(/coin `NOPE` is not in flows\/data\/prices.json/);
    expect(runner.invocations.slice(before)).toStrictEqual(["get-data"]);
    expect(await taskHistory(run.runId)).toStrictEqual(["get-data#0 0 FAILED"]);
  });

  it("stores a large result in S3 for the next task, runs a Map and the hello subflow", async () => {
    const before = runner.invocations.length;
    const run = await runner.run("stepflow-e2e-report", report.parse({ lines: 100, who: "sub" }));

    expect(run).toMatchObject({
      status: "SUCCEEDED",
      output: { v: { lines: 100, squares: 14, greeting: "HELLO, SUB!" } },
    });
    expect([...runner.invocations.slice(before)].sort()).toStrictEqual(
      [
        "count-lines",
        "greet",
        "shout",
        "square",
        "square",
        "square",
        "sum",
        "summarize",
        "write-report",
      ].sort(),
    );
    const s3 = new S3Client(aws.s3.config);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `runs/e2e-report/${run.runId}/` }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toStrictEqual([
      `runs/e2e-report/${run.runId}/write-report/0.json`,
    ]);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: listed.Contents?.[0].Key }));
    const text = JSON.parse(await object.Body!.transformToString()) as string;
    expect(text.split("\n")).toHaveLength(100);
    expect(await taskHistory(run.runId)).toStrictEqual([
      "count-lines#0 0 SUCCEEDED",
      "square#0 0 SUCCEEDED",
      "square#1 0 SUCCEEDED",
      "square#2 0 SUCCEEDED",
      "sum#0 0 SUCCEEDED",
      "summarize#0 0 SUCCEEDED",
      "write-report#0 0 SUCCEEDED",
    ]);
  });
});
