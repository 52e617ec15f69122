/**
 * The example app's stack evaluated as AWS evaluates it: every intrinsic resolved as
 * CloudFormation resolves it while creating the stack, and every request each role really makes
 * at run time evaluated by an IAM policy evaluator (iam-simulate) against the role's policies.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { exampleFlows } from "../../infra/example-flows.ts";
import { cacheLeasePk } from "../../sdk/core/deploy-names.ts";
import { type IamRequest, RoleSimulator } from "../../infra/rehearse/iam.ts";
import { type CfnTemplate, Resolver } from "../../infra/rehearse/intrinsics.ts";
import { synth } from "./support.ts";

// `cdk synth` of infra/app.ts without credentials: account and region stay pseudo parameters.
const s = synth(exampleFlows, { env: undefined });
const template = s.template.toJSON() as CfnTemplate;
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const iam = RoleSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION, stackName: "Test" });
const r = iam.resolver;
const RUN = "hello-20261201T000000Z-a1b2c3";
const bucketArn = r.arn(s.id(s.stack.resultsBucket));
const tableArn = r.arn(s.id(s.stack.historyTable));
const secretArn = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
const executionArn = (machine: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${RUN}`;

/** Every task Lambda of the app: its flow, task, compiled task, function and role. */
const tasks = [...s.stack.flows.values()].flatMap((construct) =>
  construct.compiled.tasks.map((task) => {
    const fn = s.id(construct.functions.get(task.name)!);
    return { flow: construct.compiled.flow, task, fn, role: iam.roleOf(fn), construct };
  }),
);
const logStream = (fn: string) => {
  const group = (r.properties(fn).LoggingConfig as { LogGroup: string }).LogGroup;
  // In a custom (shared) log group Lambda names streams `YYYY/MM/DD/<function name>[<version>]<id>`.
  const name = r.properties(fn).FunctionName as string;
  return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${group}:log-stream:2026/12/01/${name}[$LATEST]0123456789abcdef`;
};

async function expectDecisions(role: string, allowed: IamRequest[], denied: IamRequest[]): Promise<void> {
  for (const request of allowed) {
    const d = await iam.check(role, request);
    expect(d.allowed, d.reason).toBe(true);
  }
  for (const request of denied) {
    const d = await iam.check(role, request);
    expect(d.allowed, `${request.action} on ${request.resource} should be denied`).toBe(false);
  }
}

describe("the example stack deploys", () => {
  it("resolves every resource's properties as CloudFormation would (no Fn::Select out of range, no dangling Ref)", () => {
    expect(tasks.length).toBeGreaterThanOrEqual(20);
    for (const id of Object.keys(template.Resources)) expect(() => r.properties(id), id).not.toThrow();
  });

  it("creates no secret and no retained resource with a fixed name, so a redeploy after `cdk destroy` does not collide", () => {
    expect(Object.values(template.Resources).filter((x) => x.Type === "AWS::SecretsManager::Secret")).toEqual([]);
    const other = new Resolver(template, {
      account: ACCOUNT,
      region: REGION,
      stackName: "Test",
      stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Test/11111111-2222-4333-8444-555555555555`,
    });
    const retained = Object.entries(template.Resources).filter(
      ([, x]) => (x as { DeletionPolicy?: string }).DeletionPolicy === "Retain",
    );
    expect(retained.length).toBeGreaterThan(0);
    for (const [id] of retained) expect(other.ref(id), id).not.toBe(r.ref(id));
  });

  it("puts state machine logs under /aws/vendedlogs/states/ (one CloudWatch Logs resource policy statement for all)", () => {
    for (const construct of s.stack.flows.values()) {
      const config = r.properties(s.id(construct.stateMachine)).LoggingConfiguration as {
        Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: string } }[];
      };
      const arn = config.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn;
      expect(arn).toMatch(new RegExp(`:log-group:/aws/vendedlogs/states/${construct.stateMachineName}-[0-9a-f]{12}:\\*$`));
    }
  });

  it("passes the cdk-nag AwsSolutions pack", () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    expect(report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName)).toEqual([]);
  });
});

describe("task Lambda roles allow exactly what the runtime does", () => {
  const cases = tasks.map((t) => [`${t.flow}/${t.task.name}`, t] as const);

  it.each(cases)("%s writes its own log streams, not another function's", async (_, t) => {
    const other = tasks.find((x) => x.fn !== t.fn)!;
    const logs = (resource: string) => ["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({ action, resource }));
    await expectDecisions(t.role, logs(logStream(t.fn)), logs(logStream(other.fn)));
  });

  it.each(cases)("%s reads/writes its flow's runs/ and its cache/, listing them so a missing key is NoSuchKey", async (_, t) => {
    const children = t.construct.compiled.subflows.map((c) => c.flow);
    const run = `runs/${t.flow}/${RUN}/${t.task.name}.json`;
    const cache = `cache/${t.flow}/${t.task.name}/0f3a.json`;
    const list = (prefix: string) => ({ action: "s3:ListBucket", resource: bucketArn, context: { "s3:prefix": prefix } });
    const allowed: IamRequest[] = [
      { action: "s3:GetObject", resource: `${bucketArn}/${run}` },
      { action: "s3:PutObject", resource: `${bucketArn}/${run}` },
      list(run),
      ...children.flatMap((c) => [{ action: "s3:GetObject", resource: `${bucketArn}/runs/${c}/${RUN}/out.json` }, list(`runs/${c}/${RUN}/out.json`)]),
      { action: "s3:GetObject", resource: `${bucketArn}/${cache}` },
      { action: "s3:PutObject", resource: `${bucketArn}/${cache}` },
      ...(t.task.task.options.cache ? [list(cache)] : []),
    ];
    const stranger = exampleFlows.find((f) => f.flowName !== t.flow && !children.includes(f.flowName))!.flowName;
    const denied: IamRequest[] = [
      { action: "s3:GetObject", resource: `${bucketArn}/runs/${stranger}/${RUN}/x.json` },
      { action: "s3:PutObject", resource: `${bucketArn}/cache/${t.flow}/not-${t.task.name}/k.json` },
      { action: "s3:DeleteObject", resource: `${bucketArn}/${run}` },
      list(`runs/${stranger}/`),
      { ...list(run), context: { "s3:prefix": run, "aws:SecureTransport": "false" } },
    ];
    await expectDecisions(t.role, allowed, denied);
  });

  it.each(cases)("%s puts history items and nothing else on the table; a cached task reads its own cache leases only", async (_, t) => {
    const leaseOf = (task: string) => ({
      action: "dynamodb:GetItem",
      resource: tableArn,
      context: { "dynamodb:LeadingKeys": cacheLeasePk(`${t.flow}/${task}/0f3a`) },
    });
    const cached = t.task.task.options.cache !== undefined;
    await expectDecisions(
      t.role,
      [{ action: "dynamodb:PutItem", resource: tableArn }, ...(cached ? [leaseOf(t.task.name)] : [])],
      [
        { action: "dynamodb:DeleteItem", resource: tableArn },
        { action: "dynamodb:Query", resource: tableArn },
        leaseOf(`not-${t.task.name}`),
        { action: "dynamodb:GetItem", resource: tableArn, context: { "dynamodb:LeadingKeys": `RUN#${RUN}` } },
        ...(cached ? [] : [leaseOf(t.task.name)]),
      ],
    );
  });

  it.each(cases)("%s reads the secrets it declares (real ARN with suffix) and no other", async (_, t) => {
    const declared = t.task.secrets.map((name) => ({ action: "secretsmanager:GetSecretValue", resource: secretArn(`stepflow/${name}`) }));
    const undeclared = ["not-declared", ...t.task.secrets.map((n) => `${n}-other`), "slack-webhook", "postgres-url"]
      .filter((n) => !t.task.secrets.includes(n))
      .map((name) => ({ action: "secretsmanager:GetSecretValue", resource: secretArn(`stepflow/${name}`) }));
    await expectDecisions(t.role, declared, undeclared);
  });
});

describe("state machine roles allow what Step Functions does to run each definition", () => {
  it.each([...s.stack.flows.keys()])("%s: Lambda invokes, subflow .sync starts and polls, Distributed Map children and items", async (flow) => {
    const construct = s.stack.flows.get(flow)!;
    const machine = s.id(construct.stateMachine);
    const role = iam.roleOf(machine);
    const requests = iam.machineRequests(machine, { runId: RUN, itemKey: `runs/${flow}/${RUN}/items.json` });
    const invokes = requests.filter((q) => q.action === "lambda:InvokeFunction");
    expect(invokes.length).toBeGreaterThanOrEqual(construct.compiled.tasks.length);
    const started = new Set(requests.filter((q) => q.action === "states:StartExecution").map((q) => q.resource));
    // Subflows, and the machine itself when a Distributed Map (declared large, or a Map whose list
    // may turn out too long at run time) starts its child executions.
    const own = construct.compiled.distributedMaps.length > 0 ? [r.ref(machine)] : [];
    expect([...started].sort()).toEqual(
      [...construct.compiled.subflows.map((c) => r.ref(s.id(s.stack.flows.get(c.flow)!.stateMachine))), ...own].sort(),
    );
    await expectDecisions(role, requests, [
      { action: "lambda:InvokeFunction", resource: r.arn(s.id(s.stack.statusEvents.recorder.function)) },
      { action: "states:StopExecution", resource: executionArn("stepflow-not-a-child") },
    ]);
  });

  it("lets etl-months start, describe and stop its etl subflow's real execution ARN", async () => {
    const role = iam.roleOf(s.id(s.stack.flows.get("etl-months")!.stateMachine));
    const child = r.ref(s.id(s.stack.flows.get("etl")!.stateMachine));
    expect(child).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:stepflow-etl`);
    await expectDecisions(
      role,
      [
        { action: "states:StartExecution", resource: child },
        { action: "states:DescribeExecution", resource: executionArn("stepflow-etl") },
        { action: "states:StopExecution", resource: executionArn("stepflow-etl") },
      ],
      [{ action: "states:StartExecution", resource: r.ref(s.id(s.stack.flows.get("hello")!.stateMachine)) }],
    );
  });
});

// moto 5.2.1 does not implement `RedriveExecution` (test/client/retry.test.ts pins that), so a
// remote retry is checked here as IAM evaluates it: the caller's one statement, then what Step
// Functions does as the machine's role when it redrives (failed tasks invoked again, failed
// Distributed Map child executions redriven).
describe("retry on AWS (RedriveExecution) is allowed where the README says", () => {
  const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
  const documented = /needs\s+`states:RedriveExecution` on `(arn:aws:states:<region>:<account>:execution:stepflow-<flow>:\*)`/.exec(readme)?.[1];
  const callerMay = async (flow: string, resource: string) => {
    const statement = { Effect: "Allow", Action: "states:RedriveExecution", Resource: documented!.replace("<region>", REGION).replace("<account>", ACCOUNT).replace("<flow>", flow) };
    const out = await runSimulation(
      {
        request: {
          principal: `arn:aws:iam::${ACCOUNT}:user/operator`,
          action: "states:RedriveExecution",
          resource: { resource, accountId: ACCOUNT },
          contextVariables: {},
        },
        identityPolicies: [{ name: "retry", policy: { Version: "2012-10-17", Statement: [statement] } }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (out.resultType === "error") throw new Error(`IAM could not evaluate: ${JSON.stringify(out.errors)}`);
    return out.overallResult;
  };
  const machineOf = (flow: string) => s.id(s.stack.flows.get(flow)!.stateMachine);
  const distributed = [...s.stack.flows.values()].filter((c) => c.compiled.distributedMaps.length > 0).map((c) => c.compiled.flow);

  it("lets the caller redrive a run of the flow with the documented statement, not another flow's run", async () => {
    expect(documented).toBeDefined();
    const run = `${r.ref(machineOf("taxi-tips")).replace(":stateMachine:", ":execution:")}:${RUN}`;
    expect(await callerMay("taxi-tips", run)).toBe("Allowed");
    expect(await callerMay("taxi-tips", executionArn("stepflow-hello"))).toBe("ImplicitlyDenied");
  });

  it.each(distributed)("%s: its machine may invoke its tasks again and redrive the failed child executions of each Distributed Map, not another flow's", async (flow) => {
    const role = iam.roleOf(machineOf(flow));
    const requests = iam.machineRequests(machineOf(flow), { runId: RUN, itemKey: `runs/${flow}/${RUN}/items.json` });
    const redrives = requests.filter((q) => q.action === "states:RedriveExecution");
    // One child execution per Distributed Map: `<machine>/<map label>:<child id>`.
    expect(redrives.map((q) => q.resource.split(":")[6].split("/")[0])).toEqual(s.stack.flows.get(flow)!.compiled.distributedMaps.map(() => `stepflow-${flow}`));
    const invokes = requests.filter((q) => q.action === "lambda:InvokeFunction");
    expect(invokes.length).toBeGreaterThanOrEqual(s.stack.flows.get(flow)!.compiled.tasks.length);
    const other = distributed.find((f) => f !== flow) ?? "hello";
    await expectDecisions(role, [...redrives, ...invokes], [
      ...redrives.map((q) => ({ action: q.action, resource: q.resource.replace(`:stepflow-${flow}/`, `:stepflow-${other}/`) })),
      { action: "states:RedriveExecution", resource: executionArn(`stepflow-${flow}`) },
    ]);
  });

  it("leaves child executions to Step Functions: the caller's statement does not reach a Map Run child", async () => {
    const child = `arn:aws:states:${REGION}:${ACCOUNT}:execution:stepflow-taxi-tips/map:0b1c2d3e-0000-4000-8000-000000000001`;
    expect(await callerMay("taxi-tips", child)).toBe("ImplicitlyDenied");
  });
});

describe("recorder and notifier roles", () => {
  it("lets the recorder put and query history items, read every flow's execution history, and write its own logs", async () => {
    const fn = s.id(s.stack.statusEvents.recorder.function);
    await expectDecisions(
      iam.roleOf(fn),
      [
        { action: "dynamodb:PutItem", resource: tableArn },
        { action: "dynamodb:Query", resource: tableArn },
        { action: "logs:PutLogEvents", resource: logStream(fn) },
        ...exampleFlows.map((f) => ({ action: "states:GetExecutionHistory", resource: executionArn(`stepflow-${f.flowName}`) })),
      ],
      [
        { action: "secretsmanager:GetSecretValue", resource: secretArn("stepflow/slack-webhook") },
        { action: "states:GetExecutionHistory", resource: executionArn("other-machine") },
        { action: "dynamodb:DeleteItem", resource: tableArn },
      ],
    );
  });

  it("lets the notifier claim, release and mark notices in the history table, and read nothing there", async () => {
    const fn = s.id(s.stack.statusEvents.notifier!.function);
    const env = (r.properties(fn).Environment as { Variables: Record<string, string> }).Variables;
    expect(env.STEPFLOW_HISTORY_TABLE).toBe(r.ref(s.id(s.stack.historyTable)));
    await expectDecisions(
      iam.roleOf(fn),
      [
        { action: "dynamodb:PutItem", resource: tableArn },
        { action: "dynamodb:DeleteItem", resource: tableArn },
      ],
      [
        { action: "dynamodb:Query", resource: tableArn },
        { action: "dynamodb:GetItem", resource: tableArn },
        { action: "dynamodb:PutItem", resource: `${tableArn}-other` },
      ],
    );
  });

  it("lets the notifier read its webhook secrets and the execution history of the flows that notify", async () => {
    const fn = s.id(s.stack.statusEvents.notifier!.function);
    const notifying = exampleFlows.filter((f) => f.options.notify.length > 0).map((f) => f.flowName);
    expect(notifying.length).toBeGreaterThan(0);
    await expectDecisions(
      iam.roleOf(fn),
      [
        { action: "secretsmanager:GetSecretValue", resource: secretArn("stepflow/slack-webhook") },
        { action: "logs:CreateLogStream", resource: logStream(fn) },
        ...notifying.map((f) => ({ action: "states:GetExecutionHistory", resource: executionArn(`stepflow-${f}`) })),
      ],
      [
        { action: "secretsmanager:GetSecretValue", resource: secretArn("stepflow/postgres-url") },
        { action: "states:GetExecutionHistory", resource: executionArn("stepflow-hello") },
      ],
    );
  });
});

describe("status events that cannot be handled are kept in the dead-letter queue", () => {
  const queue = s.id(s.stack.statusEvents.deadLetters);
  const queueArn = r.arn(queue);
  const rule = s.id(s.stack.statusEvents.rule);
  const handlers = [s.stack.statusEvents.recorder, s.stack.statusEvents.notifier!].map((h) => s.id(h.function));
  const queuePolicy = () => {
    const [id] = Object.entries(template.Resources).find(([, x]) => x.Type === "AWS::SQS::QueuePolicy")!;
    const p = r.properties(id);
    expect(p.Queues).toEqual([r.ref(queue)]);
    return p.PolicyDocument as Parameters<typeof runSimulation>[0]["resourcePolicy"];
  };
  /** EventBridge sending a failed event to the queue, as IAM evaluates it against the queue policy. */
  const eventBridgeSends = async (context: Record<string, string>) => {
    const out = await runSimulation(
      {
        request: {
          principal: "events.amazonaws.com",
          action: "sqs:SendMessage",
          resource: { resource: queueArn, accountId: ACCOUNT },
          contextVariables: { "aws:SecureTransport": "true", ...context },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: queuePolicy(),
      },
      {},
    );
    if (out.resultType === "error") throw new Error(`IAM could not evaluate: ${JSON.stringify(out.errors)}`);
    return out.overallResult;
  };

  it("keeps the queue encrypted for 14 days", () => {
    expect(r.properties(queue)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
  });

  it("gives both rule targets bounded retries and the queue as their dead-letter queue", () => {
    const targets = r.properties(rule).Targets as { Arn: string; DeadLetterConfig: { Arn: string }; RetryPolicy: unknown }[];
    expect(targets.map((t) => t.Arn)).toEqual(handlers.map((h) => r.arn(h)));
    for (const t of targets) {
      expect(t.DeadLetterConfig.Arn).toBe(queueArn);
      expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 });
    }
  });

  it("lets EventBridge send this rule's failed events over TLS only, and no other rule's", async () => {
    const ruleArn = r.arn(rule);
    expect(await eventBridgeSends({ "aws:SourceArn": ruleArn })).toBe("Allowed");
    expect(await eventBridgeSends({ "aws:SourceArn": `${ruleArn}-other` })).not.toBe("Allowed");
    expect(await eventBridgeSends({ "aws:SourceArn": ruleArn, "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
  });

  it("sends the recorder's and the notifier's failed async invokes to the queue, which their roles may do", async () => {
    const configs = Object.entries(template.Resources).filter(([, x]) => x.Type === "AWS::Lambda::EventInvokeConfig");
    const byFunction = new Map(configs.map(([id]) => [String(r.properties(id).FunctionName), r.properties(id)]));
    for (const fn of handlers) {
      expect(byFunction.get(r.ref(fn))).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
      await expectDecisions(
        iam.roleOf(fn),
        [{ action: "sqs:SendMessage", resource: queueArn }],
        [{ action: "sqs:SendMessage", resource: `${queueArn}-other` }, { action: "sqs:ReceiveMessage", resource: queueArn }],
      );
    }
  });
});
