import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, type CfnElement, CfnWaitConditionHandle, NestedStack, Stack, Validations } from "aws-cdk-lib";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import { flow } from "stepflow";
import { describe, expect, it } from "vitest";
import { RoleSimulator } from "../../infra/rehearse/iam.ts";
import type { CfnTemplate } from "../../infra/rehearse/intrinsics.ts";
import { detectDip, fetchPrices, post } from "./fixtures/flows.ts";
import { nestedTasksStack } from "./support.ts";

const ENV = { account: "123456789012", region: "eu-west-1" };
const demo = flow("nested-demo", () => {
  detectDip(fetchPrices("DOGE"), 1);
  post("hook", "text");
});

// Two tasks per nested stack: the flow's three task Lambdas go to two nested stacks.
const app = new App();
const { stack, bucket, construct } = nestedTasksStack(app, "Nest", demo);
Validations.of(bucket).acknowledge({ id: "AwsSolutions-S1", reason: "a test bucket; FlowStack's own bucket is covered by its tests" });
const assembly = app.synth();
const parent = assembly.getStackByName("Nest").template as CfnTemplate & { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const nestedTemplates = Object.values(parent.Resources).filter((r) => r.Type === "AWS::CloudFormation::Stack");
const iam = RoleSimulator.fromTemplate(parent, { ...ENV, stackName: "Nest" });
const machineRole = iam.roleOf(stack.getLogicalId(construct.stateMachine.node.defaultChild as CfnElement));
const fnArn = (name: string) => `arn:aws:lambda:${ENV.region}:${ENV.account}:function:${name}`;

describe("task Lambdas in nested stacks", () => {
  it("puts at most `tasksPerStack` task Lambdas in each nested stack and none in the parent", () => {
    expect(nestedTemplates).toHaveLength(2);
    expect(Object.values(parent.Resources).filter((r) => r.Type === "AWS::Lambda::Function")).toHaveLength(0);
    const perStack = [...new Set([...construct.functions.values()].map((f) => Stack.of(f)))].map(
      (s) => [...construct.functions.values()].filter((f) => Stack.of(f) === s).length,
    );
    expect(perStack.sort()).toEqual([1, 2]);
  });

  it("invokes each task by its function name, which the machine role may invoke, and no other flow's", async () => {
    const names = [...construct.functions.values()].map(
      (f) => Stack.of(f).resolve((f.node.defaultChild as lambda.CfnFunction).functionName) as string,
    );
    expect(names.sort()).toEqual(["stepflow-nested-demo_detect-dip", "stepflow-nested-demo_fetch-prices", "stepflow-nested-demo_post"]);
    const machine = Object.values(parent.Resources).find((r) => r.Type === "AWS::StepFunctions::StateMachine")!;
    const subs = iam.resolver.resolve(machine.Properties.DefinitionSubstitutions) as Record<string, string>;
    expect(Object.values(subs).sort()).toEqual(names.map(fnArn));
    for (const name of names)
      expect((await iam.check(machineRole, { action: "lambda:InvokeFunction", resource: fnArn(name) })).allowed).toBe(true);
    for (const other of ["stepflow-nested-demo-2_post", "stepflow-other_post", "stepflow-nested-demo"])
      expect((await iam.check(machineRole, { action: "lambda:InvokeFunction", resource: fnArn(other) })).allowed).toBe(false);
  });

  it("writes each nested template as the one its asset is named by (resolved once, for the hash)", () => {
    const nested = construct.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c));
    expect(nested).toHaveLength(2);
    const assets = JSON.parse(readFileSync(join(assembly.directory, "Nest.assets.json"), "utf8")) as {
      files: Record<string, { source: { path: string } }>;
    };
    for (const n of nested) {
      const written: unknown = JSON.parse(readFileSync(join(assembly.directory, n.templateFile), "utf8"));
      const hash = createHash("sha256").update(JSON.stringify(written)).digest("hex");
      expect(assets.files[hash]?.source.path).toBe(n.templateFile);
    }
  });

  it("resolves a nested template afresh on a forced re-synthesis: a resource added after the first is written", () => {
    const again = new App();
    const { stack: host } = nestedTasksStack(again, "Again", demo);
    const first = host.node.findAll().find((c): c is NestedStack => NestedStack.isNestedStack(c))!;
    const read = (dir: string) => JSON.parse(readFileSync(join(dir, first.templateFile), "utf8")) as { Resources: Record<string, unknown> };
    expect(Object.keys(read(again.synth().directory).Resources)).not.toContain("Late");
    new CfnWaitConditionHandle(first, "Late");
    expect(Object.keys(read(again.synth({ force: true }).directory).Resources)).toContain("Late");
  });

  it("writes the current nested template after a synthesis that failed between the asset hash and the write", () => {
    const again = new App();
    const { stack: host } = nestedTasksStack(again, "Failing", demo);
    const first = host.node.findAll().find((c): c is NestedStack => NestedStack.isNestedStack(c))!;
    let fail = true;
    host.node.addValidation({ validate: () => (fail ? ["fails once"] : []) });
    expect(() => again.synth()).toThrow(/fails once/);
    fail = false;
    new CfnWaitConditionHandle(first, "Late");
    const dir = again.synth({ force: true }).directory;
    const written = JSON.parse(readFileSync(join(dir, first.templateFile), "utf8")) as { Resources: Record<string, unknown> };
    expect(Object.keys(written.Resources)).toContain("Late");
  });

  it("passes the cdk-nag AwsSolutions pack, nested stacks included", () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName)).toEqual([]);
  });
});
