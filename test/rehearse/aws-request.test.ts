import { describe, expect, it } from "vitest";
import { type AskScope, iamAsks, signer, type WireRequest } from "../../infra/rehearse/private/aws-request.ts";
import { machineAsks } from "../../infra/rehearse/private/machine-asks.ts";

const scope: AskScope = {
  account: "123456789012",
  region: "eu-west-1",
  secretArn: (name) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-Ab12Cd`,
};

const auth = (key: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=${key}/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

function json(service: string, target: string, body: unknown): [string, WireRequest] {
  return [
    service,
    {
      method: "POST",
      url: "/",
      headers: { authorization: auth("KEY1", service), "x-amz-target": target },
      body: Buffer.from(JSON.stringify(body)),
    },
  ];
}

function s3(method: string, url: string): [string, WireRequest] {
  return ["s3", { method, url, headers: { host: "127.0.0.1:4566" }, body: Buffer.alloc(0) }];
}

describe("the IAM request of a wire request", () => {
  it("reads the signer's access key id and service from SigV4", () => {
    expect(signer({ authorization: auth("ASIAREHEARSAL0000003", "dynamodb") })).toStrictEqual({
      accessKeyId: "ASIAREHEARSAL0000003",
      service: "dynamodb",
    });
    expect(signer({})).toBeUndefined();
  });

  it.each([
    [json("dynamodb", "DynamoDB_20120810.PutItem", { TableName: "hist" }), "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/hist"],
    [json("dynamodb", "DynamoDB_20120810.Query", { TableName: "hist", IndexName: "gsi1" }), "dynamodb:Query", "arn:aws:dynamodb:eu-west-1:123456789012:table/hist/index/gsi1"],
    [json("secretsmanager", "secretsmanager.GetSecretValue", { SecretId: "stepflow/slack" }), "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stepflow/slack-Ab12Cd"],
    [json("states", "AWSStepFunctions.GetExecutionHistory", { executionArn: "arn:aws:states:eu-west-1:1:execution:m:r" }), "states:GetExecutionHistory", "arn:aws:states:eu-west-1:1:execution:m:r"],
    [s3("GET", "/bucket/runs/hello/r1/greet/0.json"), "s3:GetObject", "arn:aws:s3:::bucket/runs/hello/r1/greet/0.json"],
    [s3("HEAD", "/bucket/cache/hello/greet/k"), "s3:GetObject", "arn:aws:s3:::bucket/cache/hello/greet/k"],
    [s3("PUT", "/bucket/runs/a%20b?x-id=PutObject"), "s3:PutObject", "arn:aws:s3:::bucket/runs/a b"],
  ])("%#: maps to the action and resource IAM evaluates", ([service, request], action, resource) => {
    expect(iamAsks(service, request, scope)).toMatchObject([{ action, resource }]);
  });

  it("passes a single-item DynamoDB request's partition key as `dynamodb:LeadingKeys`", () => {
    const [service, request] = json("dynamodb", "DynamoDB_20120810.GetItem", {
      TableName: "hist",
      Key: { pk: { S: "CACHE#etl/load/0f3a" }, sk: { S: "#LEASE" } },
    });
    expect(iamAsks(service, request, scope)).toStrictEqual([
      {
        action: "dynamodb:GetItem",
        resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/hist",
        context: { "dynamodb:LeadingKeys": "CACHE#etl/load/0f3a" },
      },
    ]);
  });

  it("evaluates ListObjectsV2 as s3:ListBucket on the bucket with the s3:prefix condition key", () => {
    const [service, request] = s3("GET", "/bucket?list-type=2&prefix=runs%2Fhello%2F");
    expect(iamAsks(service, request, scope)).toStrictEqual([
      { action: "s3:ListBucket", resource: "arn:aws:s3:::bucket", context: { "s3:prefix": "runs/hello/" } },
    ]);
  });
});

describe("the service calls of a state machine role", () => {
  const arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:stepflow-parent";
  const child = "arn:aws:states:eu-west-1:123456789012:stateMachine:stepflow-child";
  const definition = JSON.stringify({
    StartAt: "p",
    States: {
      p: {
        Type: "Parallel",
        End: true,
        Branches: [
          { StartAt: "t", States: { t: { Type: "Task", Resource: "arn:aws:lambda:eu-west-1:123456789012:function:f", End: true } } },
          { StartAt: "s", States: { s: { Type: "Task", Resource: "arn:aws:states:::states:startExecution.sync:2", Parameters: { StateMachineArn: child }, End: true } } },
        ],
      },
    },
  });

  it("invokes each Lambda task and starts, watches and stops each .sync subflow through the managed rule", () => {
    const asks = machineAsks(definition, arn).map((a) => `${a.state} ${a.action} ${a.resource}`);
    expect(asks).toStrictEqual([
      "t lambda:InvokeFunction arn:aws:lambda:eu-west-1:123456789012:function:f",
      `s states:StartExecution ${child}`,
      "s states:DescribeExecution arn:aws:states:eu-west-1:123456789012:execution:stepflow-child:rehearsal-child-run",
      "s states:StopExecution arn:aws:states:eu-west-1:123456789012:execution:stepflow-child:rehearsal-child-run",
      "s events:PutTargets arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
      "s events:PutRule arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
      "s events:DescribeRule arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
    ]);
  });
});
