import { App, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type { IConstruct } from "constructs";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { acknowledgeWildcards } from "../../infra/private/nag.ts";

const ENV = { account: "123456789012", region: "eu-west-1" };

/** A role whose default policy has two wildcard resources and one exact one. */
function roleWithWildcards(stack: Stack, id: string): iam.Role {
  const role = new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com") });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::results/runs/a/*", "arn:aws:s3:::results/cache/a/t/*"] }),
  );
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:eu-west-1:123456789012:table/h"] }));
  return role;
}

/** The acknowledged rules recorded on a construct, merged (rule id -> reason). */
function acknowledged(c: IConstruct): Record<string, unknown> {
  const entries = c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
  return Object.assign({}, ...entries.map((m) => m.data as Record<string, unknown>));
}

describe("acknowledgeWildcards", () => {
  it("records the acknowledgments Validations.acknowledge records, finding by finding", () => {
    const stack = new Stack(new App(), "Nag", { env: ENV });
    const ours = roleWithWildcards(stack, "Ours");
    const theirs = roleWithWildcards(stack, "Theirs");
    acknowledgeWildcards(ours, "keys are per run");
    const findings = ["arn:aws:s3:::results/runs/a/*", "arn:aws:s3:::results/cache/a/t/*"].map((r) => `AwsSolutions-IAM5[Resource::${r}]`);
    Validations.of(theirs).acknowledge(...findings.map((id) => ({ id, reason: "keys are per run" })));
    expect(acknowledged(ours)).toStrictEqual(acknowledged(theirs));
    expect(Object.keys(acknowledged(ours))).toHaveLength(2);
    // That cdk-nag honours the record on a whole flow: the cdk-nag tests of task-resources.test.ts
    // and nested-tasks.test.ts, whose task roles are acknowledged this way only.
  });

  it("leaves cdk-nag reporting a wildcard granted after the acknowledgment, and only that one", () => {
    const stack = new Stack(new App(), "NagLate", { env: ENV });
    const role = roleWithWildcards(stack, "Role");
    acknowledgeWildcards(role, "keys are per run");
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::results/late/*"] }));
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    // cdk-nag names each unacknowledged finding in its rule name: the two acknowledged ones are not there.
    const iam5 = report.violations.filter((v) => v.ruleName.startsWith("AwsSolutions-IAM5"));
    expect(iam5.map((v) => v.ruleName)).toStrictEqual(["AwsSolutions-IAM5[Resource::arn:aws:s3:::results/late/*]"]);
  });
});
