import { readFileSync } from "node:fs";
import { Match } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { etl } from "../../flows/etl.ts";
import { bulk, detectDip, quick, toTheMoon } from "./fixtures/flows.ts";
import { render, statementsOf, synth } from "./support.ts";

// One synth for the whole file: bundling and synthesis are the slow part.
const s = synth([toTheMoon, bulk, quick]);
const { template, stack } = s;
const moon = stack.flows.get("to-the-moon")!;
const taskRole = (flow: string, task: string) => s.id(stack.flows.get(flow)!.functions.get(task)!.role!);
const bucket = s.id(stack.resultsBucket);
const table = s.id(stack.historyTable);

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

  it("declares secret stepflow/<name> with no value in the template (neither given nor generated)", () => {
    const secrets = Object.values(template.findResources("AWS::SecretsManager::Secret"));
    expect(secrets.map((r) => r.Properties.Name)).toEqual(["stepflow/slack-webhook"]);
    expect(secrets[0].Properties).not.toHaveProperty("SecretString");
    expect(secrets[0].Properties).not.toHaveProperty("GenerateSecretString");
  });

  it("references an existing secret instead of creating it when told it exists", () => {
    const other = synth([toTheMoon], { existingSecrets: ["slack-webhook"] });
    other.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
    const post = statementsOf(
      other.template,
      other.id(other.stack.flows.get("to-the-moon")!.functions.get("post")!.role!),
    );
    expect(post.find((st) => st.Action.includes("secretsmanager:GetSecretValue"))?.Resource).toEqual([
      "arn:<AWS::Partition>:secretsmanager:eu-west-1:123456789012:secret:stepflow/slack-webhook-??????",
    ]);
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
    const pattern = render(rules[0].Properties.EventPattern) as { detail: { stateMachineArn: string[] } };
    expect(pattern).toMatchObject({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
    });
    expect(pattern.detail.stateMachineArn.sort()).toEqual(
      ["bulk", "lookup", "quick", "to-the-moon"]
        .map((f) => `<${s.id(stack.flows.get(f)!.stateMachine)}>`)
        .sort(),
    );
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

describe("least privilege", () => {
  // A task writes only to its own function's log group, one stream per Lambda instance.
  const logs = (flow: string, task: string) => ({
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [`<${s.id(stack.flows.get(flow)!.functions.get(task)!.logGroup)}.Arn>:log-stream:*`],
  });

  it.each([
    ["to-the-moon", "post"],
    ["to-the-moon", "fetch-prices"],
    ["quick", "detect-dip"],
  ])("lets task %s/%s write log streams of its own log group only", (flow, task) => {
    const statements = statementsOf(template, taskRole(flow, task));
    expect(statements).toContainEqual(logs(flow, task));
    expect(statements.filter((st) => st.Action.some((a) => a.startsWith("logs:")))).toStrictEqual([
      logs(flow, task),
    ]);
  });

  it("lets a task Lambda read/write only its flow's runs/ and its cache/ prefix, write history, and read only its secrets", () => {
    const post = statementsOf(template, taskRole("to-the-moon", "post")).filter(
      (st) => !st.Action[0].startsWith("logs:"),
    );
    expect(post).toStrictEqual([
      {
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: [`<${bucket}.Arn>/runs/to-the-moon/*`, `<${bucket}.Arn>/cache/to-the-moon/post/*`],
      },
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [`<${bucket}.Arn>/runs/lookup/*`] },
      { Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [`<${table}.Arn>`] },
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [`<${s.id(stack.secrets.get("slack-webhook")!)}>`],
      },
    ]);
    const dip = statementsOf(template, taskRole("quick", "detect-dip"));
    expect(dip.flatMap((st) => st.Action).sort()).toEqual([
      "dynamodb:PutItem",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "s3:GetObject",
      "s3:PutObject",
    ]);
    expect(dip.some((st) => st.Action.some((a) => a.startsWith("secretsmanager:")))).toBe(false);
  });

  it("lets a cached task list only its own cache prefix, so a cache miss is a 404 rather than a 403", () => {
    const listing = statementsOf(template, taskRole("to-the-moon", "fetch-prices")).filter((st) =>
      st.Action.includes("s3:ListBucket"),
    );
    expect(listing).toStrictEqual([
      {
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [`<${bucket}.Arn>`],
        Condition: { StringLike: { "s3:prefix": ["cache/to-the-moon/fetch-prices/*"] } },
      },
    ]);
    const post = statementsOf(template, taskRole("to-the-moon", "post"));
    expect(post.some((st) => st.Action.includes("s3:ListBucket"))).toBe(false);
  });

  it("lets a parent start, watch and stop its subflow through the managed .sync rule", () => {
    const sm = statementsOf(template, s.id(moon.stateMachine.role));
    expect(sm).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ["states:StartExecution"],
          Resource: [`<${s.id(stack.flows.get("lookup")!.stateMachine)}>`],
        }),
        expect.objectContaining({ Action: ["states:DescribeExecution", "states:StopExecution"] }),
        expect.objectContaining({
          Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
          Resource: [
            "arn:<AWS::Partition>:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
          ],
        }),
      ]),
    );
  });

  it("lets a Distributed Map start child executions of its own machine and read/write its runs/ prefix", () => {
    const sm = statementsOf(template, s.id(stack.flows.get("bulk")!.stateMachine.role));
    expect(sm).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: ["states:StartExecution"],
          Resource: ["arn:<AWS::Partition>:states:eu-west-1:123456789012:stateMachine:stepflow-bulk"],
        }),
        expect.objectContaining({
          Action: ["states:DescribeExecution", "states:StopExecution"],
          Resource: ["arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:stepflow-bulk/*"],
        }),
        expect.objectContaining({ Action: ["s3:GetObject"], Resource: [`<${bucket}.Arn>/runs/bulk/*`] }),
        expect.objectContaining({
          Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
          Resource: [`<${bucket}.Arn>/runs/bulk/*`],
        }),
      ]),
    );
  });

  it("lets the notifier read only its webhook secrets and the notified flows' execution history", () => {
    const notifier = statementsOf(template, s.id(stack.statusEvents.notifier!.role)).filter(
      (st) => !st.Action[0].startsWith("logs:"),
    );
    expect(notifier).toStrictEqual([
      {
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [`<${s.id(stack.secrets.get("slack-webhook")!)}>`],
      },
      {
        Effect: "Allow",
        Action: ["states:GetExecutionHistory"],
        Resource: ["arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:stepflow-to-the-moon:*"],
      },
    ]);
    const recorder = statementsOf(template, s.id(stack.statusEvents.recorder.role)).filter(
      (st) => !st.Action[0].startsWith("logs:"),
    );
    expect(recorder).toStrictEqual([
      { Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: [`<${table}.Arn>`] },
    ]);
  });

  it("passes the cdk-nag AwsSolutions pack with no unacknowledged errors", () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(stack);
    const errors = report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName);
    expect(errors).toEqual([]);
  });
});

describe("task bundles", () => {
  const code = (flow: string, task: string) =>
    readFileSync(`${stack.flows.get(flow)!.bundles.get(task)!.dir}/index.mjs`, "utf8");

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
          b.inputs.filter((i) => /aws-cdk-lib|constructs|sdk\/compile|sdk\/cli|^infra\//.test(i)),
        ).toEqual([]);
        expect(b.inputs).toContain("functions/task-handler.ts");
        expect(b.bytes).toBeLessThan(200_000);
      }
    }
  });

  it("defines `require` only in bundles whose CommonJS code calls it, and those bundles load", async () => {
    // None of the fixture tasks pulls in CommonJS, so none pays for importing `node:module`.
    for (const [flow, construct] of stack.flows) {
      for (const task of construct.bundles.keys()) expect(code(flow, task)).not.toContain("node:module");
    }
    // etl's load task bundles pg, which is CommonJS and requires Node built-ins.
    const bundles = synth([etl]).stack.flows.get("etl")!.bundles;
    const head = (task: string) => readFileSync(`${bundles.get(task)!.dir}/index.mjs`, "utf8").slice(0, 120);
    expect(head("load")).toMatch(/^import\{createRequire as __cr\}from'node:module';const require=/);
    expect(head("extract")).not.toContain("node:module");
    const load = (await import(`${bundles.get("load")!.dir}/index.mjs`)) as { handler: unknown };
    expect(typeof load.handler).toBe("function");
  });
});
