/**
 * A Lambda function with its own role and log group, so its permissions are exactly what
 * stepflow grants (no `AWSLambdaBasicExecutionRole` managed policy, no `logs:*` on `*`).
 */
import { Duration, type RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { Bundle } from "./bundle.ts";

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
}

/** A Lambda (nodejs22.x, arm64) running a stepflow bundle. */
export class HandlerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: props.description,
    });
    // The log group exists before the function, so the role needs no logs:CreateLogGroup.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    this.function = new lambda.Function(this, "Function", {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: "index.handler",
      code: lambda.Code.fromAsset(props.bundle.dir),
      description: props.description,
      memorySize: props.memory,
      timeout: Duration.seconds(props.timeoutSeconds),
      environment: { ...props.environment },
      role: this.role,
      logGroup,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    });
    const stack = Stack.of(this);
    Validations.of(this.function).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "stepflow pins nodejs22.x (DESIGN.md: the runtime the task code is built and tested for); newer runtimes are adopted deliberately, not implicitly",
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup)}.Arn>:log-stream:*]`,
      reason:
        "log stream names are created by Lambda at run time; the wildcard is scoped to this function's own log group",
    });
    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (AWS requires `*`)",
      });
    }
  }
}
