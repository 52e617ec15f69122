import { readdirSync, readFileSync } from "node:fs";
import { Match } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { etl } from "../../flows/etl.ts";
import { bulk, detectDip, fetchPrices, quick, toTheMoon } from "./fixtures/flows.ts";
import { cacheKey } from "../../functions/private/cache.ts";
import { cacheLifecycleRules } from "../../infra/flow-stack.ts";
import { cachedResultKey, type TaskRequest } from "../../sdk/core/protocol.ts";
import type { RuntimeTask } from "../../sdk/core/runtime-task.ts";
import type { CompiledFlow } from "../../sdk/compile/types.ts";
import { type IamRequest, RoleSimulator } from "../../infra/rehearse/iam.ts";
import type { CfnTemplate } from "../../infra/rehearse/intrinsics.ts";
import { render, synth } from "./support.ts";

// One synth for the whole file: bundling and synthesis are the slow part. The SDK is bundled, as
// by default: the bundle tests below read it.
const s = synth([toTheMoon, bulk, quick], { bundleAwsSdk: true });
const { template, stack } = s;
const moon = stack.flows.get("to-the-moon")!;
const taskRole = (flow: string, task: string) => s.id(stack.flows.get(flow)!.functions.get(task)!.role!);
const bucket = s.id(stack.resultsBucket);
const table = s.id(stack.historyTable);
const ENV = { account: "123456789012", region: "eu-west-1", stackName: "Test" };

describe("FlowStack resources", () => {
  it("deploys every flow and its subflow as state machines named stepflow-<flow>, Express when asked", () => {
    expect([...stack.flows.keys()].sort()).toEqual(["bulk", "lookup", "quick", "to-the-moon"]);
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineName: "stepflow-to-the-moon",
      StateMachineType: "STANDARD",
      LoggingConfiguration: { Level: "ERROR", IncludeExecutionData: false, Destinations: Match.anyValue() },
      TracingConfiguration: { Enabled: false },
    });
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineName: "stepflow-quick",
      StateMachineType: "EXPRESS",
    });
  });

  it("substitutes each task's Lambda ARN, each subflow's state machine ARN and the bucket into the definition", () => {
    const sm = Object.values(
      template.findResources("AWS::StepFunctions::StateMachine", {
        Properties: { StateMachineName: "stepflow-to-the-moon" },
      }),
    )[0];
    const subs = render(sm.Properties.DefinitionSubstitutions);
    expect(subs).toStrictEqual({
      Task_fetch_prices: `<${s.id(moon.functions.get("fetch-prices")!)}.Arn>`,
      Task_detect_dip: `<${s.id(moon.functions.get("detect-dip")!)}.Arn>`,
      Task_post: `<${s.id(moon.functions.get("post")!)}.Arn>`,
      Flow_lookup: `<${s.id(stack.flows.get("lookup")!.stateMachine)}>`,
    });
    const bulkSm = Object.values(
      template.findResources("AWS::StepFunctions::StateMachine", {
        Properties: { StateMachineName: "stepflow-bulk" },
      }),
    )[0];
    expect(render(bulkSm.Properties.DefinitionSubstitutions)).toMatchObject({ ResultsBucket: `<${bucket}>` });
  });

  it("makes one nodejs22.x arm64 Lambda per task with the task's memory and timeout and the runtime's env", () => {
    const fn = template.toJSON().Resources[s.id(moon.functions.get("fetch-prices")!)].Properties;
    expect(fn).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      MemorySize: 512,
      Timeout: 40,
      Handler: "index.handler",
    });
    expect(render(fn.Environment.Variables)).toStrictEqual({
      STEPFLOW_RESULTS_BUCKET: `<${bucket}>`,
      STEPFLOW_HISTORY_TABLE: `<${table}>`,
      STEPFLOW_SECRET_PREFIX: "stepflow/",
      STEPFLOW_HISTORY_TTL_DAYS: "90",
    });
  });

  it("creates the results bucket encrypted, private, TLS-only, expiring runs/ after 30 days", () => {
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: "runs/", ExpirationInDays: 30, Status: "Enabled" }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ],
      },
    });
  });

  it("expires each cached task's results once no lookup can hit them: the runtime's cache keys fall under a rule of at least expiresIn", () => {
    const rules = (Object.values(template.findResources("AWS::S3::Bucket"))[0].Properties.LifecycleConfiguration.Rules) as {
      Prefix?: string;
      ExpirationInDays?: number;
      Status: string;
    }[];
    // What S3 evaluates: a rule applies to a key that starts with its Prefix; the earliest expiration wins.
    const expiryDays = (key: string) => {
      const days = rules.filter((r) => r.Status === "Enabled" && r.ExpirationInDays && key.startsWith(r.Prefix ?? "")).map((r) => r.ExpirationInDays!);
      return days.length ? Math.min(...days) : undefined;
    };
    const hour = 3600;
    for (const flow of ["to-the-moon", "lookup"]) {
      const request = { flow, run: "r", state: "s", args: [{ value: "DOGE" }] } as unknown as TaskRequest;
      const key = cachedResultKey(cacheKey(request, fetchPrices as unknown as RuntimeTask, ["DOGE"])!);
      // 1 hour rounds up to a day, plus a day of slack for clock skew.
      expect(expiryDays(key)).toBe(2);
      expect(expiryDays(key)! * 86_400).toBeGreaterThanOrEqual(hour);
    }
    // Tasks without a cache have no cached results and no rule; run results keep theirs.
    expect(expiryDays(cachedResultKey("to-the-moon/post/abc"))).toBeUndefined();
    expect(expiryDays("runs/to-the-moon/r/s/0.json")).toBe(30);
    // Past 100 cached tasks, one rule for cache/ with the longest expiry (S3 allows 1,000 rules a bucket).
    const many = Array.from({ length: 101 }, (_, i) => ({
      flow: "f",
      tasks: [{ name: `t${i}`, task: { options: { cache: { expiresInSeconds: (i + 1) * 86_400 } } } }],
    })) as unknown as CompiledFlow[];
    expect(cacheLifecycleRules(many).map((r) => [r.prefix, r.expiration?.toDays()])).toEqual([["cache/", 102]]);
    expect(cacheLifecycleRules(many.slice(0, 2)).map((r) => [r.prefix, r.expiration?.toDays()])).toEqual([
      ["cache/f/t0/", 2],
      ["cache/f/t1/", 3],
    ]);
  });

  it("creates the history table on demand with PITR, TTL on expiresAt and gsi1/gsi2 projecting ALL", () => {
    template.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
      GlobalSecondaryIndexes: [1, 2].map((n) => ({
        IndexName: `gsi${n}`,
        KeySchema: [
          { AttributeName: `gsi${n}pk`, KeyType: "HASH" },
          { AttributeName: `gsi${n}sk`, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
    });
  });

  it("schedules runs: an EventBridge rule with the parsed params, and a Scheduler schedule when a time zone is set", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(5 minutes)",
      State: "ENABLED",
      Targets: [Match.objectLike({ Input: JSON.stringify({ coin: "BTC", threshold: 10 }) })],
    });
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(0 12 * * ? *)",
      ScheduleExpressionTimezone: "Europe/Paris",
      State: "DISABLED",
      Target: Match.objectLike({ Input: JSON.stringify({ coin: "DOGE", threshold: 10 }) }),
    });
  });

  it("feeds status changes of this stack's state machines to the recorder and the notifier", () => {
    const rules = Object.values(
      template.findResources("AWS::Events::Rule", { Properties: { EventPattern: Match.anyValue() } }),
    );
    expect(rules).toHaveLength(1);
    // The pattern itself (a prefix match on the naming) is evaluated in naming.test.ts.
    expect(render(rules[0].Properties.EventPattern)).toMatchObject({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
    });
    expect((render(rules[0].Properties.Targets) as { Arn: string }[]).map((t) => t.Arn)).toEqual([
      `<${s.id(stack.statusEvents.recorder.function)}.Arn>`,
      `<${s.id(stack.statusEvents.notifier!.function)}.Arn>`,
    ]);
    const env =
      template.toJSON().Resources[s.id(stack.statusEvents.notifier!.function)].Properties.Environment
        .Variables;
    expect(JSON.parse(env.STEPFLOW_NOTIFY)).toEqual({
      "to-the-moon": [{ kind: "slack", secret: "slack-webhook", on: ["FAILED", "TIMED_OUT"] }],
    });
  });

  it("rejects a schedule whose params the flow would reject, when the flow is defined, naming the schedule", async () => {
    const { flow, rate } = await import("stepflow");
    const { z } = await import("zod");
    const define = () =>
      flow("bad", { params: z.object({ n: z.number() }), schedules: [rate("1 hour", { n: "x" })] }, ({ n }) => {
        detectDip(n, 1);
      });
    expect(define).toThrow(/schedule `rate\(1 hour\)` of flow `bad` has invalid params:[^]*`n`/);
  });
});

describe("least privilege (simulated with IAM's evaluation, intrinsics resolved)", () => {
  const iam = RoleSimulator.fromTemplate(template.toJSON() as CfnTemplate, ENV);
  const bucketArn = iam.resolver.arn(bucket);
  const machineRole = (flow: string) => iam.roleOf(s.id(stack.flows.get(flow)!.stateMachine));
  const allowed = async (role: string, request: IamRequest) => (await iam.check(role, request)).allowed;

  it("lets a Distributed Map start, describe, stop and redrive child executions of its own machine and use its runs/ items", async () => {
    const requests = iam.machineRequests(s.id(stack.flows.get("bulk")!.stateMachine), {
      runId: "r1",
      itemKey: "runs/bulk/r1/items.json",
    });
    expect(requests.map((q) => q.action)).toEqual(
      expect.arrayContaining(["states:RedriveExecution", "s3:GetObject", "s3:PutObject", "lambda:InvokeFunction"]),
    );
    for (const q of requests) expect(await iam.check(machineRole("bulk"), q), `${q.action} ${q.resource}`).toMatchObject({ allowed: true });
    const child = `arn:aws:states:${ENV.region}:${ENV.account}:execution:stepflow-bulk/map:0b1c`;
    expect(await allowed(machineRole("bulk"), { action: "states:RedriveExecution", resource: child })).toBe(true);
    expect(await allowed(machineRole("quick"), { action: "states:RedriveExecution", resource: child })).toBe(false);
    expect(await allowed(machineRole("bulk"), { action: "s3:PutObject", resource: `${bucketArn}/runs/quick/r1/x` })).toBe(false);
  });

  it("lets a parent start, watch and stop its subflow's executions through the managed .sync rule", async () => {
    const requests = iam.machineRequests(s.id(moon.stateMachine), { runId: "r1", itemKey: "-" });
    expect(requests.filter((q) => q.action.startsWith("states:") || q.action.startsWith("events:")).length).toBe(6);
    for (const q of requests) expect(await iam.check(machineRole("to-the-moon"), q), `${q.action} ${q.resource}`).toMatchObject({ allowed: true });
    const other = `arn:aws:states:${ENV.region}:${ENV.account}:execution:stepflow-bulk:r1`;
    expect(await allowed(machineRole("to-the-moon"), { action: "states:StopExecution", resource: other })).toBe(false);
  });

  it("lets a cached task list its cache prefix and its flow's runs/, so a miss is NoSuchKey rather than AccessDenied", async () => {
    const role = taskRole("to-the-moon", "fetch-prices");
    const list = (prefix: string) => allowed(role, { action: "s3:ListBucket", resource: bucketArn, context: { "s3:prefix": prefix } });
    expect(await list("cache/to-the-moon/fetch-prices/k.json")).toBe(true);
    expect(await list("runs/to-the-moon/r1/x.json")).toBe(true);
    expect(await list("runs/lookup/r1/x.json")).toBe(true);
    expect(await list("cache/to-the-moon/post/k.json")).toBe(false);
    expect(await list("runs/bulk/")).toBe(false);
  });

  it("passes the cdk-nag AwsSolutions pack with no unacknowledged errors", () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(stack);
    const errors = report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName);
    expect(errors).toEqual([]);
  });
});

describe("task bundles", () => {
  /** Every file of a bundle (its entry and the chunks it loads): what the task's Lambda gets. */
  const files = (dir: string) =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".mjs"))
      .map((f) => ({ name: f, text: readFileSync(`${dir}/${f}`, "utf8") }));
  const code = (flow: string, task: string) =>
    files(stack.flows.get(flow)!.bundles.get(task)!.dir)
      .map((f) => f.text)
      .join("\n");

  it.each([
    ["to-the-moon", "fetch-prices", "MARKER_FETCH_PRICES"],
    ["to-the-moon", "detect-dip", "MARKER_DETECT_DIP"],
    ["to-the-moon", "post", "MARKER_POST"],
    ["bulk", "score", "MARKER_SCORE"],
  ])("bundles %s/%s with its own code and no other task's", (flow, task, marker) => {
    const markers = code(flow, task).match(/MARKER_\w+/g) ?? [];
    expect([...new Set(markers)]).toEqual([marker]);
  });

  it("keeps aws-cdk-lib, the compiler, the CLI and infra out of every bundle", () => {
    for (const construct of stack.flows.values()) {
      for (const b of construct.bundles.values()) {
        expect(
          b.inputs.filter((i) => /aws-cdk-lib|\/constructs\/|^sdk\/compile|^sdk\/cli|^infra\//.test(i)),
        ).toEqual([]);
        expect(b.inputs).toContain("functions/task-handler.ts");
        // The AWS SDK is bundled (the lockfile's versions), so it is in every bundle.
        expect(b.inputs.some((i) => i.startsWith("node_modules/@aws-sdk/client-s3/"))).toBe(true);
        expect(b.bytes).toBeLessThan(1_500_000);
        // The SDK clients are chunks imported on the first AWS call: a cold start loads the
        // runtime only (the SDK's S3 client alone is over 150 KB minified).
        expect(b.initBytes).toBeLessThan(150_000);
        expect(b.bytes - b.initBytes).toBeGreaterThan(300_000);
      }
    }
  });

  it("gives CommonJS code a `require` made on first use (no `node:module` import at cold start), and those bundles load", async () => {
    // None of the fixture tasks pulls in CommonJS: none imports `node:module`.
    for (const [flow, construct] of stack.flows) {
      for (const task of construct.bundles.keys()) expect(code(flow, task)).not.toMatch(/node:module|from"module"/);
    }
    // etl's load task bundles pg, which is CommonJS and requires Node built-ins.
    const bundles = synth([etl], { bundleAwsSdk: true }).stack.flows.get("etl")!.bundles;
    const heads = (task: string) => files(bundles.get(task)!.dir).map((f) => f.text.slice(0, 60));
    expect(heads("load").filter((h) => h.startsWith("let __cr;const require=Object.assign("))).toHaveLength(1);
    const load = (await import(`${bundles.get("load")!.dir}/index.mjs`)) as { handler: unknown };
    expect(typeof load.handler).toBe("function");
  });
});
