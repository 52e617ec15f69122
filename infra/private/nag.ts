/**
 * Acknowledging cdk-nag findings (`Validations.of(x).acknowledge`, aws-cdk-lib's own API, so
 * the infra code needs no cdk-nag at run time). Every acknowledgment carries its reason.
 */
import { Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { IConstruct } from "constructs";

/** Acknowledges one rule (or one finding, `Rule[finding]`) on a construct and its children. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** A CloudFormation value flattened the way cdk-nag names findings (`<Id.Arn>/runs/x/*`). */
function flatten(node: unknown): string {
  if (node === undefined) return "";
  if (typeof node === "string") return node.replace(/\$\{/g, "<").replace(/}/g, ">");
  const o = node as Record<string, unknown>;
  if (o["Fn::Join"]) {
    const [sep, items] = o["Fn::Join"] as [string, unknown[]];
    return items.map(flatten).join(sep);
  }
  if (o["Fn::GetAtt"]) {
    const [resource, attribute] = o["Fn::GetAtt"] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (o.Ref) return `<${flatten(o.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * Acknowledges each wildcard resource (AwsSolutions-IAM5 finding) in the role's default policy
 * as it stands now, finding by finding, with `reason`. Call it after adding the statements it
 * covers: statements added later are still checked.
 */
export function acknowledgeWildcards(role: iam.IRole, reason: string): void {
  const policy = role.node.tryFindChild("DefaultPolicy");
  if (!(policy instanceof iam.Policy)) return;
  const doc = Stack.of(role).resolve(policy.document) as { Statement?: { Resource?: unknown }[] } | undefined;
  const findings = new Set<string>();
  for (const statement of doc?.Statement ?? []) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const r of resources.map(flatten))
      if (r.includes("*")) findings.add(`AwsSolutions-IAM5[Resource::${r}]`);
  }
  for (const id of findings) acknowledge(policy, id, reason);
}
