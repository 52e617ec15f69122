/**
 * Helpers for template assertions: one synthesized stack per test file, and a renderer that
 * turns CloudFormation intrinsics into readable strings (`<LogicalId.Arn>/runs/x/*`). IAM is
 * checked by evaluating policies (infra/rehearse/iam.ts), not by reading statements.
 */
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as s3 from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";
import type { AnyFlow } from "stepflow";
import { FlowConstruct, FlowStack, type FlowStackProps } from "stepflow/cdk";

/** A synthesized FlowStack. */
export interface Synth {
  readonly app: App;
  readonly stack: FlowStack;
  readonly template: Template;
  /** The logical id of a construct's CloudFormation resource. */
  id(construct: IConstruct): string;
}

/**
 * Synthesizes a FlowStack of `flows` (offline: no credentials, no lookups). Its task bundles leave
 * the AWS SDK to the Lambda runtime (`bundleAwsSdk: false`) unless `props` say otherwise: esbuild
 * bundling the SDK is about half of a cold synth's CPU, and only the files that read the bundles
 * (flow-stack.test.ts) need it; the template's resources, IAM and names are the same either way.
 */
export function synth(flows: readonly AnyFlow[], props: Partial<FlowStackProps> = {}): Synth {
  const app = new App();
  const stack = new FlowStack(app, "Test", {
    flows,
    env: { account: "123456789012", region: "eu-west-1" },
    bundleAwsSdk: false,
    ...props,
  });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    id: (construct) =>
      Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
  };
}

/** Renders CloudFormation intrinsics as strings: `{Ref: X}` -> `<X>`, GetAtt -> `<X.Arn>`, Join concatenated. */
export function render(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(render);
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  if ("Ref" in o) return `<${o.Ref}>`;
  if ("Fn::GetAtt" in o) return `<${(o["Fn::GetAtt"] as string[]).join(".")}>`;
  if ("Fn::Join" in o) {
    const [sep, parts] = o["Fn::Join"] as [string, unknown[]];
    return parts.map((p) => String(render(p))).join(sep);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, render(v)]));
}

/**
 * A stack (`id` in `app`) of one FlowConstruct of `f` whose task Lambdas go to nested stacks,
 * `tasksPerStack` each, beside a test bucket and history table; bundles without the AWS SDK.
 */
export function nestedTasksStack(app: App, id: string, f: AnyFlow, tasksPerStack = 2) {
  const stack = new Stack(app, id, { env: { account: "123456789012", region: "eu-west-1" } });
  const bucket = new s3.Bucket(stack, "Results", { enforceSSL: true });
  const construct = new FlowConstruct(stack, "Demo", {
    flow: f,
    resultsBucket: bucket,
    historyTable: new dynamodb.TableV2(stack, "History", { partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING } }),
    secrets: new Map(),
    tasksPerStack,
    bundleAwsSdk: false,
  });
  return { stack, bucket, construct };
}
