/**
 * Run status changes: an EventBridge rule on "Step Functions Execution Status Change" for the
 * stack's state machines (a prefix match on their naming, so the event pattern stays the same
 * size however many flows there are: listing each ARN passes EventBridge's 2,048-character
 * pattern limit at about 25 flows), feeding the recorder (history) and the notifier (Slack).
 * Status changes cost no state transitions this way.
 */
import { Duration } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { GraphFlow } from "../../sdk/graph/types.ts";
import type { NotifyConfig, NotifyTarget } from "../../sdk/core/notify-config.ts";
import { namePrefix, secretPrefix, stateMachineName } from "../../sdk/core/deploy-names.ts";
import type { NotifierLambdaEnvironment, RecorderLambdaEnvironment } from "../../sdk/core/lambda-environment.ts";
import { bundle, type BundleRequest } from "./bundle.ts";
import { executionsArn, historyWrite, secretsRead, stateMachineArn } from "./grants.ts";
import { acknowledgeRuntime, HandlerFunction, type LambdaSettings } from "./handler-function.ts";
import { acknowledge, acknowledgeWildcards } from "./nag.ts";
import { type BundleOptions, handlerRequest } from "./task-bundle.ts";

/** Inputs of the status-events wiring. */
export interface StatusEventsProps {
  readonly flows: readonly GraphFlow[];
  /** The stage of the stack's names (see `FlowStackProps.stage`). */
  readonly stage: string | undefined;
  readonly historyTable: dynamodb.ITableV2;
  readonly historyTtlDays: number;
  readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  readonly bundles: BundleOptions;
  readonly lambda: LambdaSettings;
}

/** The rule, the recorder and (when a flow has `notify`) the notifier. */
export class StatusEvents extends Construct {
  readonly rule: events.Rule;
  readonly recorder: HandlerFunction;
  readonly notifier: HandlerFunction | undefined;
  /** Status events the recorder or notifier could not handle, after every retry. */
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: StatusEventsProps) {
    super(scope, id);
    this.rule = new events.Rule(this, "Rule", {
      description: "stepflow: run status changes of this stack's flows",
      eventPattern: {
        source: ["aws.states"],
        detailType: ["Step Functions Execution Status Change"],
        // Every machine of this stage, and none of another stage's (deploy-names.ts).
        detail: { stateMachineArn: events.Match.prefix(stateMachineArn(this, `${namePrefix(props.stage)}-`)) },
      },
    });
    this.deadLetters = deadLetterQueue(this);
    // Events EventBridge could not deliver (after its retries) are kept in the queue.
    const target = { retryAttempts: 8, maxEventAge: Duration.hours(2), deadLetterQueue: this.deadLetters };
    const [recorderRequest, notifierRequest] = statusEventRequests(props.flows, props.bundles);
    acknowledgeRuntime(this);
    this.recorder = new HandlerFunction(this, "Recorder", {
      ...props.lambda,
      bundle: bundle(recorderRequest),
      description: "stepflow: records flow runs in the history table",
      memory: 256,
      timeoutSeconds: 30,
      environment: {
        STEPFLOW_HISTORY_TABLE: props.historyTable.tableName,
        STEPFLOW_HISTORY_TTL_DAYS: String(props.historyTtlDays),
      } satisfies RecorderLambdaEnvironment,
    });
    this.recorder.role.addToPrincipalPolicy(historyWrite(props.historyTable));
    // At a run's end it completes task records from the execution history, and reads the run's records to compare.
    this.recorder.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["dynamodb:Query"], resources: [props.historyTable.tableArn] }),
    );
    this.recorder.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["states:GetExecutionHistory"],
        resources: props.flows.map((f) => executionsArn(this, stateMachineName(f.flowName, props.stage))),
      }),
    );
    acknowledgeWildcards(
      this.recorder.role,
      "log streams of its own log group, named by Lambda at run time; GetExecutionHistory is granted on the executions (`<machine name>:*`) of this stack's flows; execution names are run ids, unknown at deploy time",
    );
    this.rule.addTarget(new targets.LambdaFunction(this.recorder.function, target));
    keepFailures(this.recorder, this.deadLetters);
    if (!notifierRequest) return;
    const config = notifyConfig(props.flows);
    this.notifier = new HandlerFunction(this, "Notifier", {
      ...props.lambda,
      bundle: bundle(notifierRequest),
      description: "stepflow: posts run status changes to Slack",
      memory: 256,
      timeoutSeconds: 30,
      environment: {
        STEPFLOW_NOTIFY: JSON.stringify(config),
        STEPFLOW_SECRET_PREFIX: secretPrefix(props.stage),
        // The notice ledger (one message per status change) lives in the history table.
        STEPFLOW_HISTORY_TABLE: props.historyTable.tableName,
        STEPFLOW_HISTORY_TTL_DAYS: String(props.historyTtlDays),
      } satisfies NotifierLambdaEnvironment,
    });
    this.notifier.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["dynamodb:PutItem", "dynamodb:DeleteItem"], resources: [props.historyTable.tableArn] }),
    );
    const webhooks = [...new Set(Object.values(config).flatMap((list) => list.map((n) => n.secret)))];
    this.notifier.role.addToPrincipalPolicy(secretsRead(webhooks.map((name) => props.secrets.get(name)!)));
    // The failed task's name comes from the execution history of the notified flows only.
    this.notifier.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["states:GetExecutionHistory"],
        resources: Object.keys(config).map((flow) => executionsArn(this, stateMachineName(flow, props.stage))),
      }),
    );
    acknowledgeWildcards(
      this.notifier.role,
      "log streams of its own log group, named by Lambda at run time; GetExecutionHistory is granted on the executions (`<machine name>:*`) of the flows that notify; execution names are run ids, unknown at deploy time",
    );
    this.rule.addTarget(new targets.LambdaFunction(this.notifier.function, target));
    keepFailures(this.notifier, this.deadLetters);
  }
}

/**
 * The queue that keeps status events the recorder or the notifier could not handle: encrypted,
 * TLS only, kept 14 days (SQS's longest), so a lost record or notice can be replayed.
 */
function deadLetterQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, "DeadLetters", {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(queue, "AwsSolutions-SQS3", "this queue is itself the dead-letter queue of the status-event rule's targets and of the recorder's and notifier's async invokes");
  return queue;
}

/**
 * Lambda retries an async invoke that failed twice, then drops it: an on-failure destination
 * keeps the event (with the error) in the dead-letter queue instead.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
function keepFailures(fn: HandlerFunction, queue: sqs.IQueue): void {
  fn.function.configureAsyncInvoke({
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
    onFailure: new destinations.SqsDestination(queue),
  });
}

/**
 * What `StatusEvents` bundles: the recorder, and the notifier when a flow has `notify`.
 * `FlowStack` builds these with the task bundles, so the construct finds them in the cache.
 */
export function statusEventRequests(
  flows: readonly GraphFlow[],
  options: BundleOptions,
): [BundleRequest] | [BundleRequest, BundleRequest] {
  const recorder = handlerRequest("recorderHandler", options);
  if (Object.keys(notifyConfig(flows)).length === 0) return [recorder];
  return [recorder, handlerRequest("notifierHandler", options)];
}

/** The notifier's configuration: each flow's notifiers (`STEPFLOW_NOTIFY`). */
function notifyConfig(flows: readonly GraphFlow[]): NotifyConfig {
  const config: Record<string, NotifyTarget[]> = {};
  for (const f of flows) {
    if (f.options.notify.length === 0) continue;
    config[f.flowName] = f.options.notify.map((n) => ({ kind: n.kind, secret: n.secret, on: [...n.on] }));
  }
  return config;
}
