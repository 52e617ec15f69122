/**
 * The physical names, ARNs and attributes CloudFormation gives a resource when the template
 * does not name it: `<stack>-<logicalId>-<suffix>` truncated to the service's limit, and each
 * type's `Ref`/`Fn::GetAtt` values in the forms AWS documents (e.g. a log group's `Arn` ends
 * in `:*`, a secret's ARN has a 6-character suffix, a state machine's `Ref` is its ARN).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html
 */
import { createHash } from "node:crypto";
import { StepflowError } from "stepflow";
import type { DeployEnv, PhysicalResource } from "./cfn-template.ts";

/** A deploy target with its defaults filled in. */
export type FullEnv = Required<Pick<DeployEnv, "account" | "region" | "stackName" | "partition" | "urlSuffix">> &
  Pick<DeployEnv, "stackId">;

/** A name property, resolved, when the template sets it. */
export type NameOf = (property: string) => string | undefined;

/** A stand-in for CloudFormation's random suffix: the same for one stack id, new for a new stack. */
function suffix(seed: string, length: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"): string {
  const digest = createHash("sha256").update(seed).digest();
  return [...digest.subarray(0, length)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** `<stack>-<logicalId>-<13 chars>`, the stack and id parts cut so the whole fits `max`. */
export function generatedName(env: FullEnv, logicalId: string, max: number): string {
  const tail = `-${suffix(`${env.stackId ?? env.stackName}/${logicalId}`, 13)}`;
  return `${env.stackName}-${logicalId}`.slice(0, max - tail.length) + tail;
}

/** The name inside a `Ref` value: the value itself, or the last part of an ARN (a secret's without its suffix). */
export function nameInRef(type: string, ref: string): string {
  if (!ref.startsWith("arn:")) return type === "AWS::SQS::Queue" ? ref.split("/").pop()! : ref;
  const last = ref.split(/[:/]/).pop()!;
  return type === "AWS::SecretsManager::Secret" ? ref.split(":secret:")[1].replace(/-[A-Za-z0-9]{6}$/, "") : last;
}

/** The `Ref` and attributes CloudFormation would return for a resource of `type`. */
export function physicalResource(type: string, logicalId: string, nameOf: NameOf, env: FullEnv): PhysicalResource {
  const arn = (service: string, resource: string, region = env.region, account = env.account) =>
    `arn:${env.partition}:${service}:${region}:${account}:${resource}`;
  const name = (property: string, max: number) => nameOf(property) ?? generatedName(env, logicalId, max);
  switch (type) {
    case "AWS::Lambda::Function": {
      const n = name("FunctionName", 64);
      return { ref: n, attributes: { Arn: arn("lambda", `function:${n}`) } };
    }
    case "AWS::IAM::Role": {
      const n = name("RoleName", 64);
      const path = nameOf("Path") ?? "/";
      const id = `AROA${suffix(n, 17)}`;
      return { ref: n, attributes: { Arn: arn("iam", `role${path}${n}`, ""), RoleId: id } };
    }
    case "AWS::IAM::ManagedPolicy": {
      const n = name("ManagedPolicyName", 128);
      const a = arn("iam", `policy${nameOf("Path") ?? "/"}${n}`, "");
      return { ref: a, attributes: { PolicyArn: a } };
    }
    case "AWS::S3::Bucket": {
      const n = nameOf("BucketName") ?? generatedName(env, logicalId, 63).toLowerCase();
      return {
        ref: n,
        attributes: {
          Arn: `arn:${env.partition}:s3:::${n}`,
          DomainName: `${n}.s3.${env.urlSuffix}`,
          RegionalDomainName: `${n}.s3.${env.region}.${env.urlSuffix}`,
        },
      };
    }
    case "AWS::DynamoDB::Table":
    case "AWS::DynamoDB::GlobalTable": {
      const n = name("TableName", 255);
      const a = arn("dynamodb", `table/${n}`);
      return { ref: n, attributes: { Arn: a, StreamArn: `${a}/stream/2026-01-01T00:00:00.000`, TableId: suffix(n, 32) } };
    }
    case "AWS::StepFunctions::StateMachine": {
      const n = name("StateMachineName", 80);
      const a = arn("states", `stateMachine:${n}`);
      return { ref: a, attributes: { Arn: a, Name: n, StateMachineRevisionId: a } };
    }
    case "AWS::SecretsManager::Secret": {
      const a = arn("secretsmanager", `secret:${name("Name", 512)}-${suffix(`${env.stackId ?? env.stackName}/${logicalId}`, 6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")}`);
      return { ref: a, attributes: { Id: a } };
    }
    case "AWS::Logs::LogGroup": {
      const n = name("LogGroupName", 512);
      // AWS documents this attribute with the trailing `:*` (the group's streams).
      return { ref: n, attributes: { Arn: arn("logs", `log-group:${n}:*`) } };
    }
    case "AWS::Events::Rule": {
      const n = name("Name", 64);
      const bus = nameOf("EventBusName");
      return { ref: n, attributes: { Arn: arn("events", `rule/${bus && bus !== "default" ? `${bus}/` : ""}${n}`) } };
    }
    case "AWS::Scheduler::Schedule": {
      const n = name("Name", 64);
      return { ref: n, attributes: { Arn: arn("scheduler", `schedule/${nameOf("GroupName") ?? "default"}/${n}`) } };
    }
    case "AWS::SQS::Queue": {
      const n = name("QueueName", 80);
      const url = `https://sqs.${env.region}.${env.urlSuffix}/${env.account}/${n}`;
      return { ref: url, attributes: { Arn: arn("sqs", n), QueueName: n, QueueUrl: url } };
    }
    case "AWS::SNS::Topic": {
      const a = arn("sns", name("TopicName", 256));
      return { ref: a, attributes: { TopicArn: a, TopicName: a.split(":").pop()! } };
    }
    default:
      // Policies, permissions, bucket policies, metadata: referenced by id if at all.
      return { ref: generatedName(env, logicalId, 128) };
  }
}

/** Thrown for a `Fn::GetAtt` attribute that this model of CloudFormation does not know. */
export function unknownAttribute(type: string, logicalId: string, attribute: string): StepflowError {
  return new StepflowError(
    `\`Fn::GetAtt [${logicalId}, ${attribute}]\`: the rehearsal has no value for attribute \`${attribute}\` of \`${type}\`; add it to infra/private/cfn-physical.ts (or pass it in \`physical\`)`,
  );
}
