/**
 * Synthesizes a FlowStack into a cloud assembly on disk, offline, as `infra/app.ts` builds it
 * (same stack id, no account or region without `CDK_DEFAULT_*`).
 */
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import type { AnyFlow } from "stepflow";
import { FlowStack } from "stepflow/cdk";
import type { DeployEnv } from "../../../infra/rehearse/intrinsics.ts";

/** The stack id of the example app (infra/app.ts). */
export const EXAMPLES_STACK = "StepflowExamples";

/** The account the e2e tests "deploy" the example stack into (names resolved as CloudFormation would). */
export const E2E_ENV: DeployEnv = { account: "123456789012", region: "us-east-1", stackName: EXAMPLES_STACK };

/**
 * A temporary folder whose `node_modules` links to the repository's: the bundles leave the AWS
 * SDK to the Lambda runtime (`@aws-sdk/*` external), so a bundle imported from a cloud assembly
 * in this folder finds the SDK where Lambda's runtime would provide it.
 */
export function assemblyRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "stepflow-e2e-"));
  symlinkSync(join(process.cwd(), "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

/** Synthesizes `flows` in a FlowStack like the example app's; returns the cloud assembly directory. */
export function synthExamples(flows: readonly AnyFlow[]): string {
  process.env.CDK_DISABLE_CLI_TELEMETRY = "true";
  const outdir = join(assemblyRoot(), "cdk.out");
  const app = new App({ outdir });
  new FlowStack(app, EXAMPLES_STACK, {
    flows,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  app.synth();
  return outdir;
}
