/**
 * Resolves the CloudFormation intrinsics a FlowStack template uses (`Ref`, `Fn::GetAtt ... Arn`,
 * `Fn::Join`, `Fn::Sub`) to fake physical names this test controls, the way CloudFormation
 * would after creating the resources. Anything else fails loudly, so a template that starts
 * using a new intrinsic is noticed here rather than silently half-resolved.
 */
import type { CfnTemplate } from "./cloud-assembly.ts";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";

const PSEUDO: Readonly<Record<string, string>> = {
  "AWS::Region": REGION,
  "AWS::AccountId": ACCOUNT,
  "AWS::Partition": "aws",
  "AWS::URLSuffix": "amazonaws.com",
  "AWS::StackName": "StepflowExamples",
};

/** Resolves intrinsics against one template's resources. */
export class Resolver {
  constructor(private readonly template: CfnTemplate) {}

  /** The fake physical name (what `Ref` returns) of a resource. */
  ref(logicalId: string): string {
    const resource = this.resource(logicalId);
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      // Bucket names are lower case; the logical id keeps them unique and readable.
      case "AWS::S3::Bucket":
        return `e2e-${logicalId.toLowerCase()}`;
      case "AWS::StepFunctions::StateMachine":
        return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${String(props.StateMachineName ?? logicalId)}`;
      case "AWS::SecretsManager::Secret":
        return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${String(props.Name ?? logicalId)}-AbCdEf`;
      default:
        return String(props.FunctionName ?? props.TableName ?? logicalId);
    }
  }

  /** `Fn::GetAtt [logicalId, Arn]`. */
  arn(logicalId: string): string {
    const resource = this.resource(logicalId);
    const name = this.ref(logicalId);
    switch (resource.Type) {
      case "AWS::Lambda::Function":
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      case "AWS::S3::Bucket":
        return `arn:aws:s3:::${name}`;
      case "AWS::DynamoDB::GlobalTable":
      case "AWS::DynamoDB::Table":
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      case "AWS::StepFunctions::StateMachine":
      case "AWS::SecretsManager::Secret":
        return name;
      default:
        throw new Error(
          `no fake ARN for ${resource.Type} \`${logicalId}\`; add one to test/e2e/support/intrinsics.ts`,
        );
    }
  }

  /** Resolves every intrinsic in `value`. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== "object") return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::")))
      return this.intrinsic(keys[0], o[keys[0]]);
    return Object.fromEntries(keys.map((k) => [k, this.resolve(o[k])]));
  }

  /** Resolves `value` and checks it is a string. */
  string(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== "string") throw new Error(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private intrinsic(name: string, arg: unknown): unknown {
    if (name === "Ref") {
      const id = String(arg);
      return PSEUDO[id] ?? this.ref(id);
    }
    if (name === "Fn::GetAtt") {
      const [id, attribute] = arg as [string, string];
      if (attribute !== "Arn") throw new Error(`no fake value for \`${id}.${attribute}\``);
      return this.arn(id);
    }
    if (name === "Fn::Join") {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => this.string(p)).join(separator);
    }
    if (name === "Fn::Sub" && typeof arg === "string") {
      return arg.replace(/\$\{([^}]+)\}/g, (_, ref: string) =>
        ref.endsWith(".Arn") ? this.arn(ref.slice(0, -4)) : (PSEUDO[ref] ?? this.ref(ref)),
      );
    }
    throw new Error(
      `intrinsic \`${name}\` is not supported by test/e2e/support/intrinsics.ts: ${JSON.stringify(arg)}`,
    );
  }

  private resource(logicalId: string) {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource \`${logicalId}\``);
    return resource;
  }
}
