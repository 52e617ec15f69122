/**
 * `cdk deploy` into the emulated account: each file asset published (folders zipped) to the
 * bootstrap bucket, then CreateStack from the template's URL, waiting for CREATE_COMPLETE. A
 * stack that fails or does not finish is a `RehearsalDeployError` with CloudFormation's reasons.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from "@aws-sdk/client-cloudformation";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { RehearsalDeployError } from "../errors.ts";
import { type Assembly, placeholders } from "./assembly.ts";

/** The deployed stack's resources: physical id by logical id. */
export type PhysicalIds = ReadonlyMap<string, StackResourceSummary>;

/** How long a stack may stay in progress before the deploy counts as stuck. */
const STUCK_AFTER_MS = 60_000;

/** Publishes the assets and creates the stack; resolves with its resources once CREATE_COMPLETE. */
export async function deployStack(
  assembly: Assembly,
  clients: { s3: S3Client; cloudformation: CloudFormationClient },
  env: { account: string; region: string },
): Promise<PhysicalIds> {
  let templateUrl = "";
  for (const asset of assembly.assets) {
    const bucket = placeholders(asset.bucket, env.account, env.region);
    const key = placeholders(asset.key, env.account, env.region);
    const body = asset.zip ? zipFolder(asset.path) : readFileSync(asset.path);
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    if (asset.path === assembly.templateFile) templateUrl = `https://s3.${env.region}.amazonaws.com/${bucket}/${key}`;
  }
  if (!templateUrl) throw new RehearsalDeployError(`the cloud assembly of \`${assembly.stackName}\` publishes no template`);
  const cfn = clients.cloudformation;
  await cfn.send(
    new CreateStackCommand({
      StackName: assembly.stackName,
      TemplateURL: templateUrl,
      Capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    }),
  );
  await waitCreated(cfn, assembly.stackName);
  const resources = new Map<string, StackResourceSummary>();
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: assembly.stackName, NextToken: token }));
    for (const r of page.StackResourceSummaries ?? []) resources.set(r.LogicalResourceId ?? "", r);
    token = page.NextToken;
  } while (token);
  return resources;
}

async function waitCreated(cfn: CloudFormationClient, stackName: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    const status = stack?.StackStatus ?? "UNKNOWN";
    if (status === "CREATE_COMPLETE") return;
    if (!status.endsWith("_IN_PROGRESS")) throw await deployFailure(cfn, stackName, status);
    if (Date.now() - started > STUCK_AFTER_MS) {
      throw new RehearsalDeployError(
        `stack \`${stackName}\` is still ${status} after ${STUCK_AFTER_MS / 1000} s; a resource never finished creating, as a stuck CloudFormation deploy`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function deployFailure(cfn: CloudFormationClient, stackName: string, status: string) {
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }))).StackEvents ?? [];
  const failed = events
    .filter((e) => e.ResourceStatus?.endsWith("_FAILED"))
    .map((e) => `  - \`${e.LogicalResourceId}\` (${e.ResourceType}): ${e.ResourceStatusReason}`);
  return new RehearsalDeployError(
    `CloudFormation would not deploy stack \`${stackName}\` (${status}):\n${failed.join("\n") || "  (no resource reported a reason)"}\nfix the template (infra/) and rehearse again`,
  );
}

/** The folder's files in a zip, as `cdk deploy` publishes a `zip` asset (python3's zipfile writes it). */
function zipFolder(dir: string): Buffer {
  const script = [
    "import io, os, sys, zipfile",
    "b = io.BytesIO()",
    "with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:",
    "    for root, _, files in os.walk('.'):",
    "        for f in files: z.write(os.path.join(root, f), os.path.relpath(os.path.join(root, f)))",
    "sys.stdout.buffer.write(b.getvalue())",
  ].join("\n");
  return execFileSync(process.env.STEPFLOW_PYTHON ?? "python3", ["-c", script], { cwd: dir, maxBuffer: 512 * 1024 * 1024 });
}
