import { Annotations, Fn, NestedStack, type RemovalPolicy, Stack, Tags } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import type { CompiledFlow, CompiledTask } from "stepflow";
import type { GraphFlow } from "../sdk/graph/types.ts";
import { compile, StepflowError } from "stepflow";
import { DEFAULT_HISTORY_TTL_DAYS, RESULTS_BUCKET_PLACEHOLDER, secretPrefix, stateMachineName } from "../sdk/core/deploy-names.ts";
import type { TaskLambdaEnvironment } from "../sdk/core/lambda-environment.ts";
import { cachedResultsPrefix, flowRunsPrefix, RUNS_PREFIX } from "../sdk/core/protocol.ts";
import type { Bundle } from "./bundle-info.ts";
import { bundleAll } from "./private/bundle.ts";
import {
  cacheLeasesRead,
  executionsArn,
  functionArn,
  historyWrite,
  listUnder,
  objectsRead,
  objectsReadWrite,
  prefixArn,
  secretsRead,
  stateMachineArn,
  syncRuleArn,
} from "./private/grants.ts";
import { taskFunctionName, taskFunctionPrefix } from "./private/function-names.ts";
import { acknowledgeRuntime, HandlerFunction, type LambdaSettings, lambdaSettings } from "./private/handler-function.ts";
import { acknowledge, acknowledgeWildcards } from "./private/nag.ts";
import { addSchedules } from "./private/schedules.ts";
import { TaskStack } from "./private/task-stack.ts";
import { bundleOptions, taskRequest } from "./private/task-bundle.ts";

/** Properties of a `FlowConstruct`. */
export interface FlowConstructProps {
  /** The flow to deploy. */
  readonly flow: GraphFlow;
  /** The compiled flow. @default compile(flow) */
  readonly compiled?: CompiledFlow;
  /** Where task results live (`runs/<flow>/...`, `cache/<flow>/<task>/...`). */
  readonly resultsBucket: s3.IBucket;
  /** Run history (task-run items are written by the task Lambdas). */
  readonly historyTable: dynamodb.ITableV2;
  /**
   * Prefixes the state machine (`<stage>-stepflow-<flow>`) and the secret names the tasks read
   * (`<stage>-stepflow/<name>`), so stages share an account. Letters and digits only.
   * @default no stage: `stepflow-<flow>` and `stepflow/<name>`
   */
  readonly stage?: string;
  /**
   * Put the task Lambdas in nested stacks of at most this many tasks each when the flow has more,
   * so a flow of thousands of tasks stays under CloudFormation's 500 resources per stack (each
   * task is 3: function, role, policy). `FlowStack` sets it when its flows need it.
   * @default every task Lambda in the construct's own stack
   */
  readonly tasksPerStack?: number;
  /** Secrets by stepflow name (without the `stepflow/` prefix); must hold every secret a task receives. */
  readonly secrets: ReadonlyMap<string, secretsmanager.ISecret>;
  /** State machines of the flows this flow calls, by flow name. @default no subflows */
  readonly subflows?: ReadonlyMap<string, sfn.IStateMachine>;
  /** X-Ray tracing of the state machine and task Lambdas. @default false */
  readonly tracing?: boolean;
  /** Days a history item lives before DynamoDB TTL removes it. @default 90 */
  readonly historyTtlDays?: number;
  /** Retention of the state machine's and Lambdas' logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to log groups when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Bundle the AWS SDK v3 into each Lambda (the lockfile's versions) instead of using the runtime's copy. @default true */
  readonly bundleAwsSdk?: boolean;
  /** Directory for Lambda bundles (content-addressed). @default `.stepflow/bundles` in the working directory */
  readonly bundleDir?: string;
}

/**
 * One flow on AWS: its state machine `stepflow-<flow>` (`<stage>-stepflow-<flow>` with a stage), one Lambda per task and its schedules.
 * `FlowStack` makes one per flow; use it directly to put flows in a stack of your own.
 * @example new FlowConstruct(this, "Etl", { flow: etl, resultsBucket, historyTable, secrets: new Map() });
 */
export class FlowConstruct extends Construct {
  /** The flow's state machine. */
  readonly stateMachine: sfn.StateMachine;
  /** The compiled flow it was built from. */
  readonly compiled: CompiledFlow;
  /** Each task's Lambda, by task name. */
  readonly functions: ReadonlyMap<string, lambda.Function>;
  /** Each task's bundle (directory, size, source files), by task name. */
  readonly bundles: ReadonlyMap<string, Bundle>;
  /** The state machine's name. */
  readonly stateMachineName: string;
  /** Tracing, log retention and removal policy, defaults filled in. */
  private readonly settings: LambdaSettings;
  /** The log group of every task Lambda of the flow. */
  private readonly taskLogs: logs.LogGroup;
  /** Where each task's Lambda is defined (this construct, or a nested stack), by task index. */
  private readonly taskScopes: readonly Construct[];
  private readonly stage: string | undefined;

  constructor(scope: Construct, id: string, props: FlowConstructProps) {
    super(scope, id);
    const flow = props.flow;
    this.compiled = props.compiled ?? compile(flow);
    this.settings = lambdaSettings(props);
    this.stage = props.stage;
    this.stateMachineName = stateMachineName(flow.flowName, props.stage);
    // One esbuild run for all of the flow's tasks (cached: FlowStack builds the whole stack's at once).
    const options = bundleOptions(props);
    const built = bundleAll(this.compiled.tasks.map((t) => taskRequest(t.task, options)));
    const functions = new Map<string, lambda.Function>();
    const bundles = new Map<string, Bundle>();
    // One log group for all of the flow's tasks (Lambda names each stream after its function).
    this.taskLogs = new logs.LogGroup(this, "TaskLogs", {
      retention: this.settings.logRetention,
      removalPolicy: this.settings.removalPolicy,
    });
    this.taskScopes = taskScopes(this, this.compiled.tasks.length, props.tasksPerStack);
    acknowledgeRuntime(this);
    this.compiled.tasks.forEach((task, i) => {
      functions.set(task.name, this.taskFunction(this.taskScopes[i], task, built[i], props));
      bundles.set(task.name, built[i]);
    });
    this.functions = functions;
    this.bundles = bundles;
    this.stateMachine = this.machine(props);
    addSchedules(this, flow, this.stateMachine);
  }

  private taskFunction(
    scope: Construct,
    task: CompiledTask,
    built: Bundle,
    props: FlowConstructProps,
  ): lambda.Function {
    const flow = this.compiled.flow;
    const fn = new HandlerFunction(scope, `Task-${task.name}`, {
      shared: { logGroup: this.taskLogs, functionName: taskFunctionName(flow, task.name, this.stage) },
      bundle: built,
      description: `stepflow task ${task.name} of flow ${flow}`,
      memory: task.memory,
      timeoutSeconds: task.lambdaTimeoutSeconds,
      environment: {
        STEPFLOW_RESULTS_BUCKET: props.resultsBucket.bucketName,
        STEPFLOW_HISTORY_TABLE: props.historyTable.tableName,
        STEPFLOW_SECRET_PREFIX: secretPrefix(props.stage),
        STEPFLOW_HISTORY_TTL_DAYS: String(props.historyTtlDays ?? DEFAULT_HISTORY_TTL_DAYS),
      } satisfies TaskLambdaEnvironment,
      ...this.settings,
    });
    const role = fn.role;
    const own = [flowRunsPrefix(flow), cachedResultsPrefix(flow, task.name)];
    role.addToPrincipalPolicy(objectsReadWrite(props.resultsBucket, own));
    // A subflow's result is stored under its own flow's prefix; the parent's tasks may read it.
    const children = this.compiled.subflows.map((s) => flowRunsPrefix(s.flow));
    if (children.length > 0) role.addToPrincipalPolicy(objectsRead(props.resultsBucket, children));
    // Listing every prefix it reads makes a missing object NoSuchKey (an expired result, a cache
    // miss), not a 403 AccessDenied that looks like a permission problem.
    const listed = [flowRunsPrefix(flow), ...(task.task.options.cache ? [cachedResultsPrefix(flow, task.name)] : []), ...children];
    role.addToPrincipalPolicy(listUnder(props.resultsBucket, listed));
    role.addToPrincipalPolicy(historyWrite(props.historyTable));
    if (task.task.options.cache) role.addToPrincipalPolicy(cacheLeasesRead(props.historyTable, flow, task.name));
    if (task.secrets.length > 0)
      role.addToPrincipalPolicy(secretsRead(task.secrets.map((s) => this.secret(s, props))));
    acknowledgeWildcards(
      role,
      `log streams of its own function in its flow's log group (named by Lambda at run time); task ${task.name} reads and writes objects under ${flowRunsPrefix(flow)} and ${cachedResultsPrefix(flow, task.name)} only (keys are per run, so a prefix wildcard is the narrowest grant)${children.length ? `; reads its subflows' results under their ${RUNS_PREFIX} prefixes` : ""}`,
    );
    for (const [key, value] of Object.entries(task.task.options.tags)) Tags.of(fn.function).add(key, value);
    return fn.function;
  }

  private secret(name: string, props: FlowConstructProps): secretsmanager.ISecret {
    const found = props.secrets.get(name);
    if (!found) {
      throw new StepflowError(
        `secret \`${name}\` used by flow \`${this.compiled.flow}\` is not in \`secrets\`; add it to the map passed to FlowConstruct (FlowStack does this for you)`,
      );
    }
    return found;
  }

  private machine(props: FlowConstructProps): sfn.StateMachine {
    const c = this.compiled;
    const substitutions: Record<string, string> = {};
    for (const task of c.tasks) substitutions[task.placeholder] = this.invokeArn(task.name);
    for (const sub of c.subflows)
      substitutions[sub.placeholder] = this.subflow(sub.flow, props).stateMachineArn;
    if (c.usesResultsBucket) substitutions[RESULTS_BUCKET_PLACEHOLDER] = props.resultsBucket.bucketName;
    const logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: vendedLogGroupName(this, this.stateMachineName),
      retention: this.settings.logRetention,
      removalPolicy: this.settings.removalPolicy,
    });
    const machine = new sfn.StateMachine(this, "StateMachine", {
      stateMachineName: this.stateMachineName,
      stateMachineType:
        props.flow.options.type === "EXPRESS" ? sfn.StateMachineType.EXPRESS : sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(c.definition)),
      definitionSubstitutions: substitutions,
      comment: props.flow.options.description || undefined,
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: this.settings.tracing,
    });
    if (props.flow.options.type === "EXPRESS" && props.flow.options.notify.length > 0) {
      Annotations.of(this).addWarningV2(
        "stepflow:express-notify",
        `flow \`${c.flow}\` is EXPRESS and asks for notifications, but Express workflows send no status-change events to EventBridge, so no run records or Slack messages will follow; make it STANDARD (the default)`,
      );
    }
    this.grantInvoke(machine);
    for (const sub of c.subflows)
      this.grantSubflow(machine, this.subflow(sub.flow, props), stateMachineName(sub.flow, this.stage));
    if (c.distributedMaps.length > 0) this.grantDistributedMap(machine, props.resultsBucket);
    this.acknowledgeMachine(machine, this.settings.tracing);
    return machine;
  }

  /**
   * The ARN the definition invokes: the function's own when it is in this stack, else built
   * from its name (no cross-stack output per function).
   */
  private invokeArn(task: string): string {
    const fn = this.functions.get(task)!;
    if (Stack.of(fn) === Stack.of(this)) return fn.functionArn;
    return functionArn(this, taskFunctionName(this.compiled.flow, task, this.stage));
  }

  /**
   * Invoke on each task function, or, when they live in nested stacks, on the flow's function
   * name prefix (`<prefix>-<flow>_*`: this flow's functions only; one statement, not 2 ARNs per
   * task, which would overflow a role's policy size at a few hundred tasks).
   */
  private grantInvoke(machine: sfn.StateMachine): void {
    if (!this.taskScopes.some((scope) => scope instanceof NestedStack)) {
      for (const fn of this.functions.values()) fn.grantInvoke(machine);
      return;
    }
    const prefix = taskFunctionPrefix(this.compiled.flow, this.stage);
    machine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [functionArn(this, `${prefix}*`)] }),
    );
    for (const scope of new Set(this.taskScopes)) machine.node.addDependency(scope);
  }

  private subflow(name: string, props: FlowConstructProps): sfn.IStateMachine {
    const found = props.subflows?.get(name);
    if (!found) {
      throw new StepflowError(
        `flow \`${this.compiled.flow}\` calls subflow \`${name}\`, which is not in \`subflows\`; deploy \`${name}\` first and pass its state machine (FlowStack does this for you)`,
      );
    }
    return found;
  }

  /**
   * `states:startExecution.sync:2`: start, watch and stop the child, through the managed events
   * rule. The child's executions ARN is built from its name (never split out of its ARN: a
   * state machine ARN is `...:stateMachine:<name>`, and a split on the wrong separator is an
   * `Fn::Select` out of range that fails the deploy).
   */
  private grantSubflow(machine: sfn.StateMachine, child: sfn.IStateMachine, childName: string): void {
    machine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ["states:StartExecution"], resources: [child.stateMachineArn] }),
    );
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["states:DescribeExecution", "states:StopExecution"],
        resources: [executionsArn(this, childName)],
      }),
    );
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
        resources: [syncRuleArn(this)],
      }),
    );
  }

  /**
   * A Distributed Map starts child executions of this machine (and redrives, describes and stops
   * them), reads its items from S3 and writes its results there.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html
   */
  private grantDistributedMap(machine: sfn.StateMachine, bucket: s3.IBucket): void {
    const name = this.stateMachineName;
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["states:StartExecution"],
        resources: [stateMachineArn(this, name)],
      }),
    );
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"],
        resources: [executionsArn(this, name, "/")],
      }),
    );
    const prefix = flowRunsPrefix(this.compiled.flow);
    machine.addToRolePolicy(objectsRead(bucket, [prefix]));
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        resources: [prefixArn(bucket, prefix)],
      }),
    );
  }

  private acknowledgeMachine(machine: sfn.StateMachine, tracing: boolean): void {
    acknowledge(
      machine,
      "AwsSolutions-SF1",
      "logs ERROR events only, without execution data: task inputs may hold user data, and per-state logs at ALL would cost more than the run; executions stay inspectable in the console",
    );
    if (!tracing)
      acknowledge(
        machine,
        "AwsSolutions-SF2",
        "X-Ray tracing is opt-in (`tracing: true`); it adds cost per trace",
      );
    acknowledgeWildcards(
      machine.role,
      "Step Functions log delivery needs logs:*Delivery on `*`; Lambda invoke covers the function's versions (`:*`), or, with the task Lambdas in nested stacks, this flow's task functions by their name prefix (`<prefix>-<flow>_*`); subflow and Distributed Map grants cover executions of a named state machine and objects under this flow's runs/ prefix",
    );
  }
}

/**
 * `/aws/vendedlogs/states/<machine>-<id>`: Step Functions' log delivery adds a group outside
 * `/aws/vendedlogs/` to the account's CloudWatch Logs resource policy (5,120 characters for all),
 * while one policy statement covers every group under it. The last part of the stack id (unique
 * per stack creation) keeps a retained group from blocking a redeploy after the stack is deleted.
 */
function vendedLogGroupName(scope: Construct, machineName: string): string {
  const stackUuid = Fn.select(2, Fn.split("/", Stack.of(scope).stackId));
  return `/aws/vendedlogs/states/${machineName}-${Fn.select(4, Fn.split("-", stackUuid))}`;
}

/**
 * The scope of each task's Lambda, by task index: the construct itself, or with `perStack`
 * and more tasks than that, nested stacks `Tasks1`, `Tasks2`, ... of `perStack` tasks each.
 */
function taskScopes(construct: Construct, count: number, perStack: number | undefined): Construct[] {
  if (!perStack || count <= perStack) return Array.from({ length: count }, () => construct);
  const stacks = Array.from({ length: Math.ceil(count / perStack) }, (_, k) => new TaskStack(construct, `Tasks${k + 1}`));
  return Array.from({ length: count }, (_, i) => stacks[Math.floor(i / perStack)]);
}
