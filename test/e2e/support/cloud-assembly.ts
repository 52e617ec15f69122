/**
 * Reads a synthesized cloud assembly the way `cdk deploy` does: the stack's template from
 * `manifest.json`, and the Lambda code assets from the stack's asset manifest (the S3 object key
 * in the template names the asset folder that would be zipped and uploaded).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CfnResource, CfnTemplate } from "../../../infra/rehearse/intrinsics.ts";

export type { CfnResource, CfnTemplate };

/** One stack of a cloud assembly. */
export interface Deployment {
  /** The cloud assembly directory (`cdk.out` or `--output`). */
  readonly dir: string;
  readonly template: CfnTemplate;
  /** Asset folder (absolute) by the S3 object key CloudFormation deploys Lambda code from. */
  readonly assets: ReadonlyMap<string, string>;
}

interface Manifest {
  readonly artifacts: Record<
    string,
    { readonly type: string; readonly properties?: { templateFile?: string; file?: string } }
  >;
}

interface AssetManifest {
  readonly files: Record<
    string,
    {
      readonly source: { readonly path: string; readonly packaging?: string };
      readonly destinations: Record<string, { readonly objectKey: string }>;
    }
  >;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

/** The stack `stackName` of the cloud assembly in `dir`, with its file assets. */
export function readDeployment(dir: string, stackName: string): Deployment {
  const manifest = readJson<Manifest>(join(dir, "manifest.json"));
  const stack = manifest.artifacts[stackName];
  if (stack?.type !== "aws:cloudformation:stack" || !stack.properties?.templateFile) {
    throw new Error(`cloud assembly ${dir} has no stack \`${stackName}\``);
  }
  const template = readJson<CfnTemplate>(join(dir, stack.properties.templateFile));
  const assets = new Map<string, string>();
  for (const artifact of Object.values(manifest.artifacts)) {
    if (artifact.type !== "cdk:asset-manifest" || !artifact.properties?.file) continue;
    const files = readJson<AssetManifest>(join(dir, artifact.properties.file)).files;
    for (const file of Object.values(files)) {
      for (const destination of Object.values(file.destinations))
        assets.set(destination.objectKey, join(dir, file.source.path));
    }
  }
  return { dir, template, assets };
}

/** Resources of one type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/**
 * The file Lambda loads for `Handler` (`index.handler` -> `index.js`, `.mjs` or `.cjs`) in an
 * unpacked code asset, and the export it calls.
 */
export function handlerFile(assetDir: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf(".");
  const base = handler.slice(0, dot);
  const found = [".js", ".mjs", ".cjs"].map((ext) => join(assetDir, base + ext)).filter((f) => existsSync(f));
  if (found.length !== 1) {
    throw new Error(`asset ${assetDir} should hold exactly one module for handler \`${handler}\`: ${found}`);
  }
  return { file: found[0], exportName: handler.slice(dot + 1) };
}
