import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, CfnResource } from "aws-cdk-lib";
import { ArtifactMetadataEntryType } from "aws-cdk-lib/cloud-assembly-schema";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { FlowStack } from "stepflow/cdk";
import { stagedDir } from "../../infra/private/prestage.ts";
import { one, thirty } from "./fixtures/thirty-tasks.ts";

// One synth: a 1-task and a 30-task flow side by side, so what a task adds is the difference.
// Bundles and the cloud assembly on one file system, where bundles can be hard-linked; the bundles
// leave the AWS SDK to the runtime (half of esbuild's work): what is staged, not what it holds, is tested.
const dir = mkdtempSync(join(tmpdir(), "stepflow-task-resources-"));
const app = new App({ outdir: join(dir, "cdk.out") });
const stack = new FlowStack(app, "Test", {
  flows: [one, thirty],
  bundleDir: join(dir, "bundles"),
  bundleAwsSdk: false,
  env: { account: "123456789012", region: "eu-west-1" },
});
const assembly = app.synth();
const resources = stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
const under = (path: string) => resources.filter((r) => r.node.path.startsWith(`${path}/`));
const types = (rs: readonly CfnResource[]) => rs.map((r) => r.cfnResourceType).sort();
const flowPath = (name: string) => stack.flows.get(name)!.node.path;
const taskPath = (flow: string, task: string) => `${flowPath(flow)}/Task-${task}`;
/** Resources of a flow outside its tasks' constructs. */
const flowOwn = (name: string) => {
  const tasks = stack.flows.get(name)!.compiled.tasks.map((t) => taskPath(name, t.name));
  return under(flowPath(name)).filter((r) => !tasks.some((t) => r.node.path.startsWith(`${t}/`)));
};
const bundleChunks = (d: string) => readdirSync(d).filter((f) => f !== "index.mjs");
/** CDK moves what outgrows a role's default policy into managed `OverflowPolicy<n>` resources at synthesis. */
const isOverflow = (r: CfnResource) => /\/OverflowPolicy\d+\//.test(r.node.path);

describe("resources per task", () => {
  it("gives each task exactly a Lambda function, its role and the role's policy", () => {
    const tasks = stack.flows.get("thirty")!.compiled.tasks.map((t) => t.name);
    expect(tasks).toHaveLength(30);
    for (const name of tasks)
      expect(types(under(taskPath("thirty", name))), name).toEqual(["AWS::IAM::Policy", "AWS::IAM::Role", "AWS::Lambda::Function"]);
  });

  it("keeps a flow's own resources fixed as it grows: 30 tasks add only the invoke grants' overflow policy", () => {
    const [small, big] = [flowOwn("one"), flowOwn("thirty")];
    expect(types(big.filter((r) => !isOverflow(r)))).toEqual(types(small));
    expect(big.filter(isOverflow).map((r) => r.cfnResourceType)).toEqual(["AWS::IAM::ManagedPolicy"]);
    // One log group for all of a flow's tasks, one for its state machine.
    expect(big.filter((r) => r.cfnResourceType === "AWS::Logs::LogGroup")).toHaveLength(2);
  });

  it("records no creation stack trace on a task's resources (each would point into stepflow's own code)", () => {
    const traced = (r: CfnResource) => r.node.metadata.some((m) => m.type === ArtifactMetadataEntryType.CREATION_STACK);
    const task = under(taskPath("thirty", "t7"));
    expect(task).toHaveLength(3);
    expect(task.filter(traced).map((r) => r.node.path)).toEqual([]);
    // CDK's default holds outside the tasks: the flow's state machine keeps its trace.
    expect(flowOwn("thirty").filter(traced).length).toBeGreaterThan(0);
  });

  it("passes cdk-nag's AwsSolutions pack with the state machine's overflow policy", () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName)).toEqual([]);
  });

  it("stages each task's bundle in the cloud assembly as hard links, not copies", () => {
    const bundle = stack.flows.get("thirty")!.bundles.get("t7")!;
    const staged = stagedDir(assembly.directory, bundle.assetHash);
    // The directory CDK deploys the function from is the one stepflow linked: the same files.
    const fn = stack.flows.get("thirty")!.functions.get("t7")!;
    const template = assembly.getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Properties: { Code: { S3Key: unknown } } }> };
    const key = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnResource)].Properties.Code.S3Key;
    expect(JSON.stringify(key)).toContain(`${staged.split("asset.")[1]}.zip`);
    for (const file of ["index.mjs", ...bundleChunks(bundle.dir)])
      expect(statSync(join(staged, file)).ino, file).toBe(statSync(join(bundle.dir, file)).ino);
  });
});
