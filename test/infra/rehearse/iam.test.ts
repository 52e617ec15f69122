import { describe, expect, it } from "vitest";
import { AccessDeniedError, RoleSimulator } from "../../../infra/rehearse/iam.ts";
import type { CfnTemplate } from "../../../infra/rehearse/intrinsics.ts";

const env = { account: "123456789012", region: "eu-west-1", stackName: "Demo" };
const statement = (Action: unknown, Resource: unknown, extra: object = {}) => ({ Effect: "Allow", Action, Resource, ...extra });

const template: CfnTemplate = {
  Resources: {
    Bucket: { Type: "AWS::S3::Bucket" },
    BucketPolicy: {
      Type: "AWS::S3::BucketPolicy",
      Properties: {
        Bucket: { Ref: "Bucket" },
        PolicyDocument: {
          Statement: [
            {
              Effect: "Deny",
              Principal: { AWS: "*" },
              Action: "s3:*",
              Resource: [{ "Fn::GetAtt": ["Bucket", "Arn"] }, { "Fn::Join": ["", [{ "Fn::GetAtt": ["Bucket", "Arn"] }, "/*"]] }],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        },
      },
    },
    Logs: { Type: "AWS::Logs::LogGroup" },
    Role: {
      Type: "AWS::IAM::Role",
      Properties: {
        Policies: [{ PolicyName: "own", PolicyDocument: { Statement: [statement("logs:PutLogEvents", { "Fn::GetAtt": ["Logs", "Arn"] })] } }],
        ManagedPolicyArns: [{ Ref: "Managed" }, "arn:aws:iam::aws:policy/ReadOnlyAccess"],
      },
    },
    Policy: {
      Type: "AWS::IAM::Policy",
      Properties: {
        PolicyName: "RoleDefaultPolicy",
        Roles: [{ Ref: "Role" }],
        PolicyDocument: {
          Statement: [
            statement("s3:GetObject", { "Fn::Join": ["", [{ "Fn::GetAtt": ["Bucket", "Arn"] }, "/runs/*"]] }),
            statement("s3:ListBucket", { "Fn::GetAtt": ["Bucket", "Arn"] }, { Condition: { StringLike: { "s3:prefix": "runs/*" } } }),
          ],
        },
      },
    },
    Managed: {
      Type: "AWS::IAM::ManagedPolicy",
      Properties: { PolicyDocument: { Statement: [statement("dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/t")] } },
    },
    Fn: { Type: "AWS::Lambda::Function", Properties: { Role: { "Fn::GetAtt": ["Role", "Arn"] } } },
  },
};

describe("RoleSimulator", () => {
  const iam = RoleSimulator.fromTemplate(template, env);
  const role = iam.roleOf("Fn");
  const bucketArn = iam.resolver.arn("Bucket");
  const logGroup = iam.resolver.ref("Logs");

  it("finds the role a function runs as and evaluates its inline, attached and managed policies", async () => {
    expect(role).toBe("Role");
    const allowed = [
      { action: "s3:GetObject", resource: `${bucketArn}/runs/hello/x.json` },
      { action: "s3:ListBucket", resource: bucketArn, context: { "s3:prefix": "runs/hello/x.json" } },
      { action: "dynamodb:PutItem", resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/t" },
      // `GetAtt LogGroup.Arn` ends in `:*`, so it covers the group's streams.
      { action: "logs:PutLogEvents", resource: `arn:aws:logs:eu-west-1:123456789012:log-group:${logGroup}:log-stream:s` },
    ];
    for (const request of allowed) expect(await iam.check(role, request), request.action).toMatchObject({ allowed: true });
  });

  it("denies what no statement allows, and says which statements grant the action on what", async () => {
    const denied = await iam.check(role, { action: "s3:GetObject", resource: `${bucketArn}/cache/x` });
    expect(denied.allowed).toBe(false);
    expect(denied.reason).toContain("implicitly denied");
    expect(denied.reason).toContain(`RoleDefaultPolicy: "${bucketArn}/runs/*"`);
    expect(denied.reason).toContain("Managed policies not evaluated: arn:aws:iam::aws:policy/ReadOnlyAccess");
    const listing = await iam.check(role, { action: "s3:ListBucket", resource: bucketArn, context: { "s3:prefix": "cache/x" } });
    expect(listing.allowed).toBe(false);
  });

  it("applies the bucket policy: a request without TLS is explicitly denied", async () => {
    const plain = await iam.check(role, {
      action: "s3:GetObject",
      resource: `${bucketArn}/runs/hello/x.json`,
      context: { "aws:SecureTransport": "false" },
    });
    expect(plain).toMatchObject({ allowed: false });
    expect(plain.reason).toContain("explicitly denied");
  });

  it("throws AccessDenied naming action, resource and role from assertAllowed", async () => {
    await expect(iam.assertAllowed(role, { action: "s3:PutObject", resource: `${bucketArn}/runs/x` })).rejects.toThrow(AccessDeniedError);
    await expect(iam.assertAllowed("Role", { action: "s3:PutObject", resource: `${bucketArn}/runs/x` })).rejects.toThrow(
      /`s3:PutObject` on `arn:aws:s3:::demo-bucket-\w+\/runs\/x` by role `Role` .* No statement grants `s3:PutObject`/,
    );
  });

  it("rejects a request IAM cannot evaluate, and an unknown role", async () => {
    await expect(iam.check(role, { action: "s3:GetObject", resource: bucketArn })).rejects.toThrow(/IAM cannot evaluate `s3:GetObject`/);
    await expect(iam.check("Nope", { action: "s3:GetObject", resource: `${bucketArn}/x` })).rejects.toThrow(/no role `Nope`/);
  });
});
