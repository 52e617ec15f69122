/**
 * `cdk synth` through the real CLI, as a user runs it: no AWS credentials, the app from
 * cdk.json (infra/app.ts), the cloud assembly in a temporary folder. Then the hello flow runs
 * from that assembly: the CLI's template and bundles, on the emulators.
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Resolver } from "../../infra/rehearse/intrinsics.ts";
import { captureLogs } from "../functions/support/memory-stores.ts";
import { type AwsEmulators, startAwsEmulators } from "./support/aws-env.ts";
import { type Deployment, readDeployment, resourcesOfType } from "./support/cloud-assembly.ts";
import { createTableInput, deployedMachine } from "./support/deployed-machine.ts";
import { DeployedRunner } from "./support/run-deployed.ts";
import { assemblyRoot, E2E_ENV, EXAMPLES_STACK } from "./support/synth-app.ts";

const CDK = join(process.cwd(), "node_modules", "aws-cdk", "bin", "cdk");

/** The environment without anything that could reach an AWS account. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!/^(AWS_|CDK_DEFAULT_)/.test(name)) env[name] = value;
  return { ...env, CDK_DISABLE_CLI_TELEMETRY: "true", AWS_EC2_METADATA_DISABLED: "true" };
}

let root: string;
let synth: { code: number; stdout: string; stderr: string };
let deployment: Deployment;

beforeAll(async () => {
  root = assemblyRoot();
  const output = join(root, "cdk.out");
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [CDK, "synth", "--quiet", "--output", output],
      { cwd: process.cwd(), env: offlineEnv(), maxBuffer: 16 * 1024 * 1024 },
    );
    synth = { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    synth = { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
  if (synth.code === 0) deployment = readDeployment(output, EXAMPLES_STACK);
}, 300_000); // a real `cdk synth` of every example: 20 s idle, minutes on a loaded machine

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("cdk synth (CLI, offline)", () => {
  it("exits 0 without AWS credentials", () => {
    expect(synth.code, synth.stderr).toBe(0);
  });

  it("writes the example app's stack with a state machine per flow, each task a bundled Lambda", () => {
    const machines = resourcesOfType(deployment.template, "AWS::StepFunctions::StateMachine").map(
      ([, r]) => r.Properties?.StateMachineName,
    );
    expect(machines).toContain("stepflow-hello");
    const resolver = new Resolver(deployment.template, E2E_ENV);
    for (const name of machines) {
      const m = deployedMachine(deployment, resolver, String(name));
      expect(m.lambdas.size + m.subflows.size, String(name)).toBeGreaterThan(0);
    }
    expect([...deployedMachine(deployment, resolver, "stepflow-hello").lambdas.keys()]).toStrictEqual([
      "greet",
      "shout",
    ]);
  });

  describe("running hello from the CLI's assembly", () => {
    let aws: AwsEmulators;
    let runner: DeployedRunner;
    let logs: ReturnType<typeof captureLogs>;
    const resolver = () => new Resolver(deployment.template, E2E_ENV);

    beforeAll(async () => {
      const r = resolver();
      const [[bucketId]] = resourcesOfType(deployment.template, "AWS::S3::Bucket");
      const [[tableId]] = resourcesOfType(deployment.template, "AWS::DynamoDB::GlobalTable");
      aws = await startAwsEmulators(r.ref(bucketId), {});
      await aws.createTable(createTableInput(deployment, r, tableId));
      runner = new DeployedRunner((name) => deployedMachine(deployment, r, name));
      logs = captureLogs();
    });

    afterAll(async () => {
      logs?.restore();
      runner?.restoreEnv();
      await aws?.stop();
    });

    it("greets loudly through the deployed bundles", async () => {
      const run = await runner.run("stepflow-hello", { name: "Ada" });
      expect(run).toMatchObject({ status: "SUCCEEDED", output: { v: "HELLO, ADA!" } });
      expect(runner.invocations).toStrictEqual(["greet", "shout"]);
      const started = logs.lines.filter((l) => l.message === "task succeeded").map((l) => l.task);
      expect(started).toStrictEqual(["greet", "shout"]);
    });
  });
});
