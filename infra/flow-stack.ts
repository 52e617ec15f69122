import { Duration, type RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import type { AnyFlow, CompiledFlow } from "stepflow";
import { compile } from "stepflow";
import { collectFlows } from "../sdk/graph/collect.ts";
import type { GraphFlow } from "../sdk/graph/types.ts";
import { FlowConstruct } from "./flow-construct.ts";
import { bundleAll } from "./private/bundle.ts";
import { lambdaSettings } from "./private/handler-function.ts";
import { DEFAULT_HISTORY_TTL_DAYS } from "../sdk/core/deploy-names.ts";
import { CACHE_PREFIX, cachedResultsPrefix, RUNS_PREFIX } from "../sdk/core/protocol.ts";
import { acknowledge } from "./private/nag.ts";
import { declareSecrets } from "./private/secrets.ts";
import { StatusEvents, statusEventRequests } from "./private/status-events.ts";
import { bundleOptions, taskRequest } from "./private/task-bundle.ts";

/** Properties of a `FlowStack`. */
export interface FlowStackProps extends StackProps {
  /** The flows to deploy; the subflows they call are deployed too. */
  readonly flows: readonly AnyFlow[];
  /** How long task results under `runs/` stay in the results bucket. @default Duration.days(30) */
  readonly resultsExpiration?: Duration;
  /** Days a history item lives before DynamoDB TTL removes it. @default 90 */
  readonly historyTtlDays?: number;
  /**
   * Prefixes every state machine (`<stage>-stepflow-<flow>`) and secret name
   * (`<stage>-stepflow/<name>`), so stages (dev, prod, a pull request) share one account and
   * region; give the same `stage` to `StepflowClient` (or env `STEPFLOW_STAGE` for the CLI). Letters and digits.
   * Two stacks in one account and region need different stages: each stack's status rule
   * matches its stage's state machine names.
   * @default no stage: `stepflow-<flow>` and `stepflow/<name>`
   */
  readonly stage?: string;
  /**
   * @deprecated Ignored: the stack never creates secrets any more (a retained secret with a
   * fixed name blocks redeploys); every secret is referenced by name and created by
   * `stepflow secret set <name>`.
   */
  readonly existingSecrets?: readonly string[];
  /** X-Ray tracing of state machines and Lambdas. @default false */
  readonly tracing?: boolean;
  /** Retention of every log group. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the bucket, table and logs when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Bundle the AWS SDK v3 into each Lambda (the versions the lockfile pins, tested with the
   * code) instead of using whatever copy the Lambda runtime ships. @default true
   */
  readonly bundleAwsSdk?: boolean;
  /** Directory for Lambda bundles (content-addressed). @default `.stepflow/bundles` in the working directory */
  readonly bundleDir?: string;
}

/**
 * A stack of stepflow flows: per flow a state machine, task Lambdas and schedules; shared by
 * all, the results bucket, the history table, the run-status rule with its recorder and
 * notifier, and grants on the secrets the flows use (which `stepflow secret set` creates).
 * @example new FlowStack(app, "Doge", { flows: [toTheMoon] });
 */
export class FlowStack extends Stack {
  readonly resultsBucket: s3.Bucket;
  readonly historyTable: dynamodb.TableV2;
  /** Secrets by stepflow name (references by name; the stack does not create them). */
  readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  /** One construct per flow (subflows included), by flow name. */
  readonly flows: ReadonlyMap<string, FlowConstruct>;
  readonly statusEvents: StatusEvents;

  constructor(scope: Construct, id: string, props: FlowStackProps) {
    super(scope, id, props);
    const lambda = lambdaSettings(props);
    const removalPolicy = lambda.removalPolicy;
    const historyTtlDays = props.historyTtlDays ?? DEFAULT_HISTORY_TTL_DAYS;
    const bundles = bundleOptions(props);
    const all = collectFlows(props.flows);
    const compiled = new Map<GraphFlow, CompiledFlow>(all.map((f) => [f, compile(f)]));
    this.resultsBucket = resultsBucket(this, props.resultsExpiration ?? Duration.days(30), removalPolicy, [
      ...compiled.values(),
    ]);
    this.historyTable = historyTable(this, removalPolicy);
    const secretNames = [
      ...[...compiled.values()].flatMap((c) => c.tasks.flatMap((t) => t.secrets)),
      ...all.flatMap((f) => f.options.notify.map((n) => n.secret)),
    ];
    this.secrets = declareSecrets(this, secretNames, props.stage);

    // Build every bundle of the stack in one esbuild process; the constructs below hit the cache.
    bundleAll([
      ...[...compiled.values()].flatMap((c) => c.tasks.map((t) => taskRequest(t.task, bundles))),
      ...statusEventRequests(all, bundles),
    ]);

    // collectFlows orders children before parents, so every subflow exists when its parent is built.
    const flows = new Map<string, FlowConstruct>();
    const machines = new Map<string, sfn.IStateMachine>();
    const nested = flowsToNest([...compiled.values()]);
    for (const f of all) {
      const construct = new FlowConstruct(this, `Flow-${f.flowName}`, {
        flow: f,
        compiled: compiled.get(f),
        resultsBucket: this.resultsBucket,
        historyTable: this.historyTable,
        secrets: this.secrets,
        subflows: machines,
        stage: props.stage,
        tasksPerStack: nested.has(f.flowName) ? TASKS_PER_NESTED_STACK : undefined,
        ...lambda,
        historyTtlDays,
        bundleAwsSdk: bundles.bundleAwsSdk,
        bundleDir: bundles.outRoot,
      });
      flows.set(f.flowName, construct);
      machines.set(f.flowName, construct.stateMachine);
    }
    this.flows = flows;
    this.statusEvents = new StatusEvents(this, "RunStatus", {
      flows: all,
      stage: props.stage,
      historyTable: this.historyTable,
      historyTtlDays,
      secrets: this.secrets,
      bundles,
      lambda,
    });
  }
}

/** Task Lambdas per nested stack (3 resources each: 450 of CloudFormation's 500 per stack). */
const TASKS_PER_NESTED_STACK = 150;
/** Resources the stack's own template may hold before its largest flows move tasks to nested stacks. */
const RESOURCE_BUDGET = 450;
/** The stack's own resources besides flows (bucket, table, status rule, recorder, notifier, ...). */
const BASE_RESOURCES = 40;
/** A flow's resources besides its tasks (state machine, its role, policy and log groups, a schedule). */
const FLOW_RESOURCES = 8;

/**
 * The flows whose task Lambdas go to nested stacks: none while the stack fits in its budget,
 * else the largest flows first until it does (a stack of small flows keeps one template).
 */
function flowsToNest(flows: readonly CompiledFlow[]): Set<string> {
  const own = (f: CompiledFlow, nest: boolean) =>
    FLOW_RESOURCES + (nest ? Math.ceil(f.tasks.length / TASKS_PER_NESTED_STACK) : 3 * f.tasks.length);
  let total = BASE_RESOURCES + flows.reduce((n, f) => n + own(f, false), 0);
  const nested = new Set<string>();
  for (const f of [...flows].sort((a, b) => b.tasks.length - a.tasks.length)) {
    if (total <= RESOURCE_BUDGET) break;
    nested.add(f.flow);
    total += own(f, true) - own(f, false);
  }
  return nested;
}

/** S3 allows 1,000 lifecycle rules per bucket; past this many cached tasks, one rule covers `cache/`. */
const CACHE_RULES_MAX = 100;

/**
 * Lifecycle rules for cached results: a cached entry is a hit only while younger than its task's
 * `cache.expiresIn` (the runtime checks its `storedAt`), so S3 may delete it once it is older. Per
 * cached task, its prefix `cache/<flow>/<task>/` expires after `expiresIn` rounded up to whole days
 * (S3's unit) plus one day of slack for clock skew between the writer and S3; with more cached
 * tasks than `CACHE_RULES_MAX`, one rule for `cache/` with the longest of them.
 */
export function cacheLifecycleRules(flows: readonly CompiledFlow[]): s3.LifecycleRule[] {
  const cached = flows.flatMap((f) =>
    f.tasks.flatMap((t) => {
      const seconds = t.task.options.cache?.expiresInSeconds;
      if (seconds === undefined) return [];
      return [{ prefix: cachedResultsPrefix(f.flow, t.name), days: Math.ceil(seconds / 86_400) + 1 }];
    }),
  );
  if (cached.length > CACHE_RULES_MAX) {
    const days = Math.max(...cached.map((c) => c.days));
    return [{ id: "expire-cached-results", prefix: CACHE_PREFIX, expiration: Duration.days(days) }];
  }
  return cached.map((c) => ({ id: `expire ${c.prefix}`, prefix: c.prefix, expiration: Duration.days(c.days) }));
}

function resultsBucket(
  scope: Construct,
  expiration: Duration,
  removalPolicy: RemovalPolicy,
  flows: readonly CompiledFlow[],
): s3.Bucket {
  const bucket = new s3.Bucket(scope, "ResultsBucket", {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy,
    lifecycleRules: [
      { id: "expire-run-results", prefix: RUNS_PREFIX, expiration },
      ...cacheLifecycleRules(flows),
      { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
  });
  acknowledge(
    bucket,
    "AwsSolutions-S1",
    "holds transient task results that expire; object access is by the stack's own roles only and can be audited with CloudTrail data events, so a second (logging) bucket is not created",
  );
  return bucket;
}

/** The history table; key and index names are the runtime's (functions/stores). */
function historyTable(scope: Construct, removalPolicy: RemovalPolicy): dynamodb.TableV2 {
  const s = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
  return new dynamodb.TableV2(scope, "HistoryTable", {
    partitionKey: s("pk"),
    sortKey: s("sk"),
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: "expiresAt",
    removalPolicy,
    globalSecondaryIndexes: [
      {
        indexName: "gsi1",
        partitionKey: s("gsi1pk"),
        sortKey: s("gsi1sk"),
        projectionType: dynamodb.ProjectionType.ALL,
      },
      {
        indexName: "gsi2",
        partitionKey: s("gsi2pk"),
        sortKey: s("gsi2sk"),
        projectionType: dynamodb.ProjectionType.ALL,
      },
    ],
  });
}
