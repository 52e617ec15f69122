/**
 * The IAM policies a template gives each role, intrinsics resolved: the role's own
 * `Policies`, `AWS::IAM::Policy`/`RolePolicy`/`ManagedPolicy` resources attached to it, its
 * `ManagedPolicyArns` and permissions boundary; and the bucket policies (resource policies)
 * of the template's buckets.
 */
import type { Resolver } from "../rehearse/intrinsics.ts";

/** An IAM policy document, resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

/** A named policy document. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** One role of the template with everything that decides what it may do. */
export interface RolePolicies {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly identity: NamedPolicy[];
  readonly boundary: NamedPolicy[];
  /** Managed policy ARNs the template attaches but does not define (AWS managed): not evaluated. */
  readonly unknownManaged: string[];
}

type Props = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every role of the template, by logical id. */
export function rolePolicies(resolver: Resolver): Map<string, RolePolicies> {
  const resources = Object.entries(resolver.template.Resources).filter(([id]) => resolver.exists(id));
  const roles = new Map<string, RolePolicies>();
  const byName = new Map<string, RolePolicies>();
  for (const [id, r] of resources) {
    if (r.Type !== "AWS::IAM::Role") continue;
    const p = resolver.properties(id);
    const role: RolePolicies = {
      logicalId: id,
      name: resolver.ref(id),
      arn: resolver.arn(id),
      identity: asList(p.Policies).map((x) => {
        const inline = x as { PolicyName: string; PolicyDocument: PolicyDocument };
        return { name: inline.PolicyName, policy: inline.PolicyDocument };
      }),
      boundary: [],
      unknownManaged: [],
    };
    roles.set(id, role);
    byName.set(role.name, role);
  }
  const managed = new Map<string, NamedPolicy>();
  for (const [id, r] of resources) {
    if (r.Type !== "AWS::IAM::ManagedPolicy") continue;
    managed.set(resolver.ref(id), { name: id, policy: resolver.properties(id).PolicyDocument as PolicyDocument });
  }
  for (const [id, r] of resources) attach(id, r.Type, resolver, byName, managed);
  for (const [id, role] of roles) {
    const p = resolver.properties(id);
    for (const arn of asList(p.ManagedPolicyArns) as string[]) {
      const found = managed.get(arn);
      if (found) role.identity.push(found);
      else role.unknownManaged.push(arn);
    }
    const boundary = p.PermissionsBoundary as string | undefined;
    if (boundary) role.boundary.push(managed.get(boundary) ?? { name: boundary, policy: { Statement: [] } });
  }
  return roles;
}

/** Adds a policy resource's document to the roles it names. */
function attach(
  id: string,
  type: string,
  resolver: Resolver,
  byName: ReadonlyMap<string, RolePolicies>,
  managed: ReadonlyMap<string, NamedPolicy>,
): void {
  if (type !== "AWS::IAM::Policy" && type !== "AWS::IAM::RolePolicy" && type !== "AWS::IAM::ManagedPolicy") return;
  const p: Props = resolver.properties(id);
  const names = type === "AWS::IAM::RolePolicy" ? [p.RoleName] : asList(p.Roles);
  const policy =
    type === "AWS::IAM::ManagedPolicy"
      ? managed.get(resolver.ref(id))!
      : { name: String(p.PolicyName ?? id), policy: p.PolicyDocument as PolicyDocument };
  for (const name of names) byName.get(String(name))?.identity.push(policy);
}

/** Bucket policies by bucket name. */
export function bucketPolicies(resolver: Resolver): Map<string, PolicyDocument> {
  const found = new Map<string, PolicyDocument>();
  for (const [id, r] of Object.entries(resolver.template.Resources)) {
    if (r.Type !== "AWS::S3::BucketPolicy" || !resolver.exists(id)) continue;
    const p = resolver.properties(id);
    found.set(String(p.Bucket), p.PolicyDocument as PolicyDocument);
  }
  return found;
}
