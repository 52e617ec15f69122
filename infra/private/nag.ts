/**
 * Acknowledging cdk-nag findings (`Validations.of(x).acknowledge`, aws-cdk-lib's own API, or its
 * record for the many per-resource findings, so the infra code needs no cdk-nag at run time).
 * Every acknowledgment carries its reason.
 */
import { CfnElement, type IResolvable, Names, Reference, Stack, Token, Tokenization, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { IConstruct } from "constructs";

/** Acknowledges one rule (or one finding, `Rule[finding]`) on a construct and its children. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges findings (`Rule[finding]`) on a construct and its children: the record
 * `Validations.acknowledge` makes (metadata `aws:cdk:acknowledged-rules`, ids qualified
 * `Annotation::<id>`; cdk-nag looks for it on a resource and its scopes), in one entry and without
 * the stack trace CDK captures for each acknowledgment. A trace costs ~0.6 ms of CPU and a task's
 * role has two to four findings, so the traces were the largest cost a task added to a synth; they
 * would only point here. test/infra/nag.test.ts checks the record against `Validations.acknowledge`'s.
 */
export function recordAcknowledgments(scope: IConstruct, ids: readonly string[], reason: string): void {
  if (ids.length === 0) return;
  const data = Object.fromEntries(ids.map((id) => [`${ANNOTATION_PREFIX}${id}`, reason]));
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, data);
}

/** How `Validations.acknowledge` qualifies a rule id in its record. */
const ANNOTATION_PREFIX = "Annotation::";

/**
 * A CloudFormation value flattened the way cdk-nag names findings (`<Id.Arn>/runs/x/*`). With
 * `viaParameter`, references are named as in a nested stack, where CDK passes each value from
 * the parent as a parameter `referenceto<Id><Attribute>` (`<referencetoBucketArn>/runs/x/*`).
 */
function flatten(node: unknown, viaParameter?: (logicalId: string) => string | undefined): string {
  if (node === undefined) return "";
  if (typeof node === "string") return node.replace(/\$\{/g, "<").replace(/}/g, ">");
  const o = node as Record<string, unknown>;
  if (o["Fn::Join"]) {
    const [sep, items] = o["Fn::Join"] as [string, unknown[]];
    return items.map((item) => flatten(item, viaParameter)).join(sep);
  }
  if (o["Fn::GetAtt"]) {
    const [resource, attribute] = o["Fn::GetAtt"] as [unknown, unknown];
    const param = viaParameter?.(flatten(resource));
    if (param) return `<referenceto${param}${flatten(attribute).replace(/\./g, "")}>`;
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  const param = typeof o.Ref === "string" ? viaParameter?.(o.Ref) : undefined;
  if (param) return `<referenceto${param}Ref>`;
  if (o.Ref) return `<${flatten(o.Ref)}>`;
  return JSON.stringify(node);
}

/**
 * Acknowledges each wildcard resource (AwsSolutions-IAM5 finding) in the role's default policy
 * as it stands now, finding by finding, with `reason`. Call it after adding the statements it
 * covers: statements added later are still checked. The findings are acknowledged on the role,
 * so they cover the overflow policies CDK splits off a default policy that outgrows IAM's size
 * limit at synthesis (a state machine invoking 30 task Lambdas by ARN).
 */
export function acknowledgeWildcards(role: iam.IRole, reason: string): void {
  const policy = role.node.tryFindChild("DefaultPolicy");
  if (!(policy instanceof iam.Policy)) return;
  // In a nested stack, values from the parent become parameters by synthesis time (cdk-nag's view).
  const parent = Stack.of(role).nestedStackParent;
  const viaParameter = parent ? (id: string) => parentIds(parent, id) : undefined;
  // The statements as added (`toJSON` renders them unresolved) and each resource resolved alone:
  // resolving the whole document also merges and minimizes it, which synthesis does again anyway.
  const stack = Stack.of(role);
  const doc = policy.document.toJSON() as { Statement?: { Resource?: unknown }[] } | undefined;
  const findings = new Set<string>();
  for (const statement of doc?.Statement ?? []) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources) {
      if (typeof resource === "string" && !Token.isUnresolved(resource) && !resource.includes("*")) continue;
      for (const r of new Set([flattenResource(stack, resource), flattenResource(stack, resource, viaParameter)]))
        if (r.includes("*")) findings.add(`AwsSolutions-IAM5[Resource::${r}]`);
    }
  }
  recordAcknowledgments(role, [...findings], reason);
}

/** Resolved references by stack: every task role names the same bucket, table and pseudo parameters. */
const referencesByStack = new WeakMap<Stack, Map<IResolvable, unknown>>();

/**
 * `flatten(stack.resolve(resource))`, with each reference in a string (an attribute, a pseudo
 * parameter: what never changes once made) resolved once per stack. A string's flattened form is
 * its parts' flattened forms in order, as `flatten` joins an `Fn::Join`; resolving every task
 * role's resources whole was most of what acknowledging them cost.
 */
function flattenResource(stack: Stack, resource: unknown, viaParameter?: (logicalId: string) => string | undefined): string {
  if (typeof resource !== "string") return flatten(stack.resolve(resource), viaParameter);
  let known = referencesByStack.get(stack);
  if (!known) referencesByStack.set(stack, (known = new Map()));
  const parts: string[] = [];
  const resolveOnce = (token: IResolvable): unknown => {
    if (!Reference.isReference(token)) return stack.resolve(token);
    if (!known.has(token)) known.set(token, stack.resolve(token));
    return known.get(token);
  };
  // Each token becomes a marker `\0<i>\0` (no CloudFormation value holds a NUL), so the literal
  // parts get `flatten`'s replacements and the tokens' flattened forms do not get them twice.
  const marked: unknown = Tokenization.reverseString(resource)
    .mapTokens({ mapToken: (token) => `\0${parts.push(flatten(resolveOnce(token), viaParameter)) - 1}\0` })
    .join({ join: (left: unknown, right: unknown) => `${String(left)}${String(right)}` });
  return String(marked ?? "")
    .split("\0")
    .map((piece, i) => (i % 2 === 1 ? parts[Number(piece)] : flatten(piece)))
    .join("");
}

const uniqueIdsByStack = new WeakMap<Stack, { ids: Map<string, string>; missing: Set<string> }>();

/**
 * The node unique id (`Names.nodeUniqueId`) of the parent stack's resource with `logicalId`:
 * CDK names the nested stack's parameter for a reference to it `referenceto<unique id><attr>`.
 * Rebuilt at most once per unknown id (resources may be added after the last lookup).
 */
function parentIds(parent: Stack, logicalId: string): string | undefined {
  if (logicalId.startsWith("AWS::")) return undefined;
  let known = uniqueIdsByStack.get(parent);
  if (!known || (!known.ids.has(logicalId) && !known.missing.has(logicalId))) {
    const ids = new Map<string, string>();
    const walk = (c: IConstruct) => {
      if (CfnElement.isCfnElement(c)) ids.set(parent.resolve(c.logicalId) as string, Names.nodeUniqueId(c.node));
      for (const child of c.node.children) if (!Stack.isStack(child)) walk(child);
    };
    walk(parent);
    known = { ids, missing: known?.missing ?? new Set() };
    if (!ids.has(logicalId)) known.missing.add(logicalId);
    uniqueIdsByStack.set(parent, known);
  }
  return known.ids.get(logicalId);
}
