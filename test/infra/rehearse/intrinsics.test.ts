import { describe, expect, it } from "vitest";
import { type CfnTemplate, Resolver, TemplateError } from "../../../infra/rehearse/intrinsics.ts";

const env = { account: "123456789012", region: "eu-west-1", stackName: "Demo" };

const template: CfnTemplate = {
  Parameters: { Stage: { Type: "String", Default: "dev" } },
  Conditions: {
    IsProd: { "Fn::Equals": [{ Ref: "Stage" }, "prod"] },
    NotProd: { "Fn::Not": [{ Condition: "IsProd" }] },
  },
  Mappings: { Sizes: { dev: { Memory: 128 } } },
  Resources: {
    Fn: { Type: "AWS::Lambda::Function", Properties: { FunctionName: "hello" } },
    Unnamed: { Type: "AWS::Lambda::Function", Properties: {} },
    Logs: { Type: "AWS::Logs::LogGroup", Properties: {} },
    Machine: { Type: "AWS::StepFunctions::StateMachine", Properties: { StateMachineName: { "Fn::Join": ["-", ["stepflow", { Ref: "Stage" }]] } } },
    Secret: { Type: "AWS::SecretsManager::Secret", Properties: { Name: "stepflow/slack" } },
    Bucket: { Type: "AWS::S3::Bucket" },
    ProdOnly: { Type: "AWS::SQS::Queue", Condition: "IsProd" },
    Role: { Type: "AWS::IAM::Role", Properties: { Path: "/svc/" } },
  },
};

describe("Resolver", () => {
  const r = new Resolver(template, env);

  it("returns each type's Ref and GetAtt values as CloudFormation documents them", () => {
    expect(r.resolve({ Ref: "Fn" })).toBe("hello");
    expect(r.arn("Fn")).toBe("arn:aws:lambda:eu-west-1:123456789012:function:hello");
    // A log group's Arn attribute already ends in `:*` (its streams).
    expect(r.arn("Logs")).toMatch(/^arn:aws:logs:eu-west-1:123456789012:log-group:Demo-Logs-[A-Z0-9]{13}:\*$/);
    expect(r.ref("Machine")).toBe("arn:aws:states:eu-west-1:123456789012:stateMachine:stepflow-dev");
    expect(r.attribute("Machine", "Name")).toBe("stepflow-dev");
    expect(r.ref("Secret")).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:stepflow\/slack-[A-Za-z]{6}$/);
    expect(r.ref("Bucket")).toMatch(/^demo-bucket-[a-z0-9]{13}$/);
    expect(r.arn("Role")).toBe(`arn:aws:iam::123456789012:role/svc/${r.ref("Role")}`);
  });

  it("generates the same names for the same template and cuts them to the service's limit", () => {
    const long = { ...env, stackName: "A".repeat(80) };
    const name = new Resolver(template, long).ref("Unnamed");
    expect(name).toHaveLength(64);
    expect(new Resolver(template, long).ref("Unnamed")).toBe(name);
  });

  it("uses given physical names and parameters instead of generated ones", () => {
    const given = new Resolver(template, {
      ...env,
      parameters: { Stage: "prod" },
      physical: {
        Bucket: { ref: "real-bucket" },
        Unnamed: { ref: "fn-from-moto", attributes: { Arn: "arn:aws:lambda:eu-west-1:000000000000:function:x" } },
      },
    });
    expect(given.ref("Bucket")).toBe("real-bucket");
    expect(given.arn("Bucket")).toBe("arn:aws:s3:::real-bucket");
    expect(given.attribute("Bucket", "DomainName")).toBe("real-bucket.s3.amazonaws.com");
    expect(given.ref("Unnamed")).toBe("fn-from-moto");
    expect(given.arn("Unnamed")).toBe("arn:aws:lambda:eu-west-1:000000000000:function:x");
    expect(given.ref("Machine")).toMatch(/stateMachine:stepflow-prod$/);
    expect(given.exists("ProdOnly")).toBe(true);
  });

  it("resolves Join, Split, Select, Sub (both forms), If, FindInMap, Base64, GetAZs and pseudo parameters", () => {
    expect(
      r.resolve({
        join: { "Fn::Join": [":", [{ Ref: "AWS::Partition" }, { Ref: "AWS::Region" }, { Ref: "AWS::AccountId" }]] },
        select: { "Fn::Select": [1, { "Fn::Split": [":", "a:b:c"] }] },
        sub: { "Fn::Sub": "${AWS::StackName}/${Fn}/${Fn.Arn}/${!Literal}" },
        subVars: { "Fn::Sub": ["${X}-${AWS::Region}", { X: { Ref: "Fn" } }] },
        memory: { "Fn::FindInMap": ["Sizes", { Ref: "Stage" }, "Memory"] },
        picked: { "Fn::If": ["NotProd", "small", "large"] },
        dropped: { "Fn::If": ["IsProd", "x", { Ref: "AWS::NoValue" }] },
        list: ["a", { "Fn::If": ["IsProd", "b", { Ref: "AWS::NoValue" }] }],
        b64: { "Fn::Base64": "hi" },
        az: { "Fn::Select": [0, { "Fn::GetAZs": "" }] },
      }),
    ).toStrictEqual({
      join: "aws:eu-west-1:123456789012",
      select: "b",
      sub: "Demo/hello/arn:aws:lambda:eu-west-1:123456789012:function:hello/${Literal}",
      subVars: "hello-eu-west-1",
      memory: 128,
      picked: "small",
      list: ["a"],
      b64: "aGk=",
      az: "eu-west-1a",
    });
    expect(r.exists("ProdOnly")).toBe(false);
  });

  it("fails an Fn::Select out of range as CloudFormation fails the stack, naming the resource and property", () => {
    const bad: CfnTemplate = {
      Resources: {
        Machine: { Type: "AWS::StepFunctions::StateMachine", Properties: { StateMachineName: "stepflow-child" } },
        Policy: {
          Type: "AWS::IAM::Policy",
          Properties: {
            PolicyDocument: {
              Statement: [
                {
                  Resource: { "Fn::Select": [1, { "Fn::Split": [":stateMachine/", { Ref: "Machine" }] }] },
                },
              ],
            },
          },
        },
      },
    };
    const resolve = () => new Resolver(bad, env).properties("Policy");
    expect(resolve).toThrow(TemplateError);
    expect(resolve).toThrow(
      /resource `Policy` \(AWS::IAM::Policy\) Properties\.PolicyDocument\.Statement\[0\]\.Resource: `Fn::Select` index 1 is out of range of a 1-element list .*CloudFormation would fail the stack/,
    );
  });

  it("rejects what CloudFormation rejects: a Ref to a missing or not-created resource, an unknown attribute", () => {
    expect(() => r.resolve({ Ref: "Nope" }, "here")).toThrow(/here: the template has no resource `Nope`; CloudFormation would fail/);
    expect(() => r.resolve({ Ref: "ProdOnly" })).toThrow(/`ProdOnly` is not created \(its condition `IsProd` is false\)/);
    expect(() => r.resolve({ "Fn::GetAtt": ["Fn", "Nope"] })).toThrow(/no value for attribute `Nope` of `AWS::Lambda::Function`/);
    expect(() => r.resolve({ "Fn::ImportValue": "x" })).toThrow(/does not resolve `Fn::ImportValue`/);
  });
});
