/**
 * Least-privilege statements stepflow grants. Each is written out rather than taken from
 * `grantReadWrite` and friends, which add deletes, listings and `*` actions stepflow never uses.
 */
import { ArnFormat, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as s3 from "aws-cdk-lib/aws-s3";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { IConstruct } from "constructs";
import { cacheLeasePk } from "../../sdk/core/deploy-names.ts";
import { cacheKeyPrefix } from "../../sdk/core/protocol.ts";

/** Objects under `prefix` (ending in `/`) of the bucket. */
export function prefixArn(bucket: s3.IBucket, prefix: string): string {
  return `${bucket.bucketArn}/${prefix}*`;
}

/** Get and put objects under each prefix (no delete, no listing). */
export function objectsReadWrite(bucket: s3.IBucket, prefixes: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ["s3:GetObject", "s3:PutObject"],
    resources: prefixes.map((p) => prefixArn(bucket, p)),
  });
}

/**
 * List keys under the given prefixes only. Without `s3:ListBucket` S3 answers a missing key with
 * 403 AccessDenied instead of 404 NoSuchKey, so a cache miss or an expired result would look
 * like a permission error; every prefix a role reads from needs it.
 */
export function listUnder(bucket: s3.IBucket, prefixes: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ["s3:ListBucket"],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } },
  });
}

/** Read objects under each prefix. */
export function objectsRead(bucket: s3.IBucket, prefixes: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ["s3:GetObject"],
    resources: prefixes.map((p) => prefixArn(bucket, p)),
  });
}

/**
 * Write history items: the runtime's history store only ever puts (a conditional Put that creates
 * a record or moves its rank forward), so no update, read or delete.
 */
export function historyWrite(table: dynamodb.ITableV2): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ["dynamodb:PutItem"], resources: [table.tableArn] });
}

/**
 * Read the cache leases of one task (`GetItem` on items whose partition key starts with
 * `CACHE#<flow>/<task>/`): a waiting call reads who holds its key's lease. Leases are written with
 * the conditional Puts `historyWrite` allows.
 */
export function cacheLeasesRead(table: dynamodb.ITableV2, flow: string, task: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ["dynamodb:GetItem"],
    resources: [table.tableArn],
    conditions: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [cacheLeasePk(`${cacheKeyPrefix(flow, task)}*`)] } },
  });
}

/** The ARN a policy needs to read a secret: the full ARN, or the name plus AWS's 6-character suffix. */
function secretArnForPolicy(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/** Read the values of these secrets only. */
export function secretsRead(secrets: readonly secretsmanager.ISecret[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ["secretsmanager:GetSecretValue"],
    resources: secrets.map(secretArnForPolicy),
  });
}

/**
 * The log streams of a log group, by the group's name: `log-group:<name>:log-stream:*`, or only
 * those matching `streams`. (The
 * group's `Arn` attribute already ends in `:*`; appending `:log-stream:*` to it matches nothing.)
 */
export function logStreamsArn(scope: IConstruct, logGroupName: string, streams = "*"): string {
  return Stack.of(scope).formatArn({
    service: "logs",
    resource: "log-group",
    resourceName: `${logGroupName}:log-stream:${streams}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** ARN of a Lambda function (or a `*` pattern of names) by name, with no reference to the function. */
export function functionArn(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({
    service: "lambda",
    resource: "function",
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** ARN of a state machine by name (usable in its own role without a dependency cycle). */
export function stateMachineArn(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({
    service: "states",
    resource: "stateMachine",
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * ARN pattern of the named state machine's executions: `name:*` for its runs, `name/*` for the
 * child executions of its Distributed Maps.
 */
export function executionsArn(scope: IConstruct, name: string, separator: ":" | "/" = ":"): string {
  return Stack.of(scope).formatArn({
    service: "states",
    resource: "execution",
    resourceName: `${name}${separator}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The EventBridge managed rule Step Functions uses for `.sync` integrations. */
export function syncRuleArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({
    service: "events",
    resource: "rule",
    resourceName: "StepFunctionsGetEventsForStepFunctionsExecutionRule",
  });
}
