/**
 * A Lambda function with its own role and log group, so its permissions are exactly what
 * stepflow grants (no `AWSLambdaBasicExecutionRole` managed policy, no `logs:*` on `*`).
 */
import { AssetHashType, Duration, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { DISABLE_CREATION_STACK_TRACES } from "aws-cdk-lib/cx-api";
import { Construct, type IConstruct } from "constructs";
import type { Bundle } from "../bundle-info.ts";
import { logStreamsArn } from "./grants.ts";
import { acknowledge } from "./nag.ts";
import { prestage } from "./prestage.ts";

/** Options of a stepflow Lambda. */
export interface HandlerFunctionProps {
  readonly bundle: Bundle;
  readonly description: string;
  readonly memory: number;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly tracing: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * A log group shared with other functions, and this function's name, which Lambda puts in
   * its stream names there (`YYYY/MM/DD/<name>[<version>]<id>`), so the role can still write
   * its own streams only. @default a log group of its own, and a generated name
   */
  readonly shared?: { readonly logGroup: logs.ILogGroup; readonly functionName: string };
}

/** The settings shared by all of a stack's Lambdas (and its state machines' logs). */
export type LambdaSettings = Pick<HandlerFunctionProps, "tracing" | "logRetention" | "removalPolicy">;

/** `LambdaSettings` with their defaults: no tracing, logs kept a month, resources retained. */
export function lambdaSettings(props: Partial<LambdaSettings>): LambdaSettings {
  return {
    tracing: props.tracing ?? false,
    logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  };
}

/** A Lambda (nodejs22.x, arm64) running a stepflow bundle. */
export class HandlerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    // CDK records a creation stack trace for every CloudFormation resource (source-mapped under
    // tsx, ~0.3 ms each, three per task); here they would all point into this file, so they are
    // left out (`cdk synth --debug-app`, or CDK_DEBUG=true, still records them).
    this.node.setContext(DISABLE_CREATION_STACK_TRACES, true);
    const logGroup =
      props.shared?.logGroup ??
      new logs.LogGroup(this, "Logs", { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: props.description,
    });
    // The log group exists before the function, so the role needs no logs:CreateLogGroup; log
    // stream names are made by Lambda at run time, hence `log-stream:*` in this group only.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [
          logStreamsArn(this, logGroup.logGroupName, props.shared ? `*/*/*/${props.shared.functionName}[*` : "*"),
        ],
      }),
    );
    prestage(this, props.bundle);
    this.function = new lambda.Function(this, "Function", {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      functionName: props.shared?.functionName,
      // The bundle directory is named by the hash of its files: CDK need not hash them again.
      code: lambda.Code.fromAsset(props.bundle.dir, {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: props.bundle.assetHash,
      }),
      description: props.description,
      memorySize: props.memory,
      timeout: Duration.seconds(props.timeoutSeconds),
      environment: { ...props.environment },
      role: this.role,
      logGroup,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    });
  }
}

/**
 * Acknowledges cdk-nag's AwsSolutions-L1 (not the latest runtime) for every Lambda function under
 * `scope`, stepflow's `HandlerFunction`s and any a user adds there: once per construct that holds
 * them, not once per function (a thousand-task flow made a thousand acknowledgments, each with a
 * stack trace CDK records).
 */
export function acknowledgeRuntime(scope: IConstruct): void {
  acknowledge(
    scope,
    "AwsSolutions-L1",
    "stepflow pins nodejs22.x (DESIGN.md: the runtime the task code is built and tested for); newer runtimes are adopted deliberately, not implicitly",
  );
}
