/**
 * The cloud assembly a rehearsal deploys: the flows' `FlowStack` synthesized offline into a
 * temporary folder, read back as `cdk deploy` reads it (the template, and each file asset with
 * the bucket and key it is published to).
 */
import { mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { App } from "aws-cdk-lib";
import type { AnyFlow } from "stepflow";
import { FlowStack } from "../../flow-stack.ts";

/** A CloudFormation resource as synthesized. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized template (the parts the rehearsal reads). */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

/** A file asset: the folder (zipped on upload) or file, and where `cdk deploy` publishes it. */
export interface FileAsset {
  readonly path: string;
  readonly zip: boolean;
  readonly bucket: string;
  readonly key: string;
}

/** One synthesized stack. */
export interface Assembly {
  /** The temporary folder holding `cdk.out` (remove it when done). */
  readonly root: string;
  readonly stackName: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
  readonly assets: readonly FileAsset[];
}

interface AssetManifest {
  readonly files: Record<
    string,
    {
      readonly source: { readonly path: string; readonly packaging?: string };
      readonly destinations: Record<string, { readonly bucketName: string; readonly objectKey: string }>;
    }
  >;
}

/**
 * Synthesizes `flows` in a `FlowStack` named `stackName`, environment-agnostic as `infra/app.ts`
 * builds it. The folder's `node_modules` links to the one holding this package's AWS SDK: the
 * bundles leave `@aws-sdk/*` to the Lambda runtime, and this is the runtime's copy here.
 */
export function synthesize(flows: readonly AnyFlow[], stackName: string): Assembly {
  process.env.CDK_DISABLE_CLI_TELEMETRY = "true";
  const root = mkdtempSync(join(tmpdir(), "stepflow-rehearse-"));
  symlinkSync(sdkNodeModules(), join(root, "node_modules"), "dir");
  const outdir = join(root, "cdk.out");
  const app = new App({ outdir });
  new FlowStack(app, stackName, { flows });
  const artifact = app.synth().getStackByName(stackName);
  return {
    root,
    stackName,
    templateFile: artifact.templateFullPath,
    template: artifact.template as CfnTemplate,
    assets: fileAssets(join(outdir, `${stackName}.assets.json`), outdir),
  };
}

/** Replaces `${AWS::AccountId}` and `${AWS::Region}` in an asset destination. */
export function placeholders(text: string, account: string, region: string): string {
  return text.replaceAll("${AWS::AccountId}", account).replaceAll("${AWS::Region}", region);
}

function fileAssets(manifestFile: string, outdir: string): FileAsset[] {
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as AssetManifest;
  return Object.values(manifest.files).flatMap((file) =>
    Object.values(file.destinations).map((d) => ({
      path: join(outdir, file.source.path),
      zip: file.source.packaging === "zip",
      bucket: d.bucketName,
      key: d.objectKey,
    })),
  );
}

function sdkNodeModules(): string {
  const entry = createRequire(import.meta.url).resolve("@aws-sdk/client-s3");
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === "node_modules") return dir;
  }
  throw new Error(`\`@aws-sdk/client-s3\` resolved outside a node_modules folder (${entry})`);
}
