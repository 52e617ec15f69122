/**
 * Pre-staging of Lambda bundles in the cloud assembly. CDK stages a directory asset by copying
 * it, file by file through its ignore rules, into `<assembly>/asset.<hash>`, unless that
 * directory already exists. A task bundle is ~700 KB in ~30 files (its entry and the shared
 * runtime and AWS SDK chunks), so at 200 tasks the copies were the largest per-task cost of a
 * synth (and 140 MB in cdk.out). The bundle's files are hard links to one copy of each chunk
 * already: linking them into the staged directory makes the same files without copying a byte.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Stage } from "aws-cdk-lib";
import { DISABLE_ASSET_STAGING_CONTEXT } from "aws-cdk-lib/cx-api";
import type { IConstruct } from "constructs";
import type { Bundle } from "../bundle-info.ts";
import { bundleFiles } from "./bundle.ts";

/**
 * Where CDK stages a directory asset given `assetHash` with `AssetHashType.CUSTOM`:
 * `asset.<sha256 of the custom hash>` in the assembly (aws-cdk-lib's AssetStaging; the test of
 * this file fails if that naming changes, and CDK then copies as before).
 */
export function stagedDir(assetOutdir: string, assetHash: string): string {
  return join(assetOutdir, `asset.${createHash("sha256").update(assetHash).digest("hex")}`);
}

/** Hard-links `bundle` where CDK would copy it, unless staging is off (SAM) or it is there already. */
export function prestage(scope: IConstruct, bundle: Bundle): void {
  if (scope.node.tryGetContext(DISABLE_ASSET_STAGING_CONTEXT)) return;
  const outdir = Stage.of(scope)?.assetOutdir;
  if (!outdir) return;
  const target = stagedDir(outdir, bundle.assetHash);
  if (existsSync(target)) return;
  // The names the bundle worker wrote (no listing per task), else the directory's.
  const names = bundleFiles(bundle) ?? flatFiles(bundle.dir);
  if (!names) return;
  // Linked into a scratch directory renamed into place: CDK (or a concurrent synth) never sees
  // half a bundle.
  const scratch = `${target}.${process.pid}.tmp`;
  makeEmptyDir(scratch);
  try {
    for (const name of names) link(join(bundle.dir, name), join(scratch, name));
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    // A file gone from the bundle directory: CDK copies what is there, as without pre-staging.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    renameSync(scratch, target);
  } catch (error) {
    // Another synth staged it first: theirs holds the same files.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(target)) throw error;
  }
}

/** The files of `dir` when it holds only files (what the bundle worker writes); anything else CDK copies. */
function flatFiles(dir: string): string[] | undefined {
  const entries = readdirSync(dir, { withFileTypes: true });
  return entries.every((e) => e.isFile()) ? entries.map((e) => e.name) : undefined;
}

/** Makes `dir` empty: one `mkdir` when it is new and its parent exists, as it is for every task but the first. */
function makeEmptyDir(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") rmSync(dir, { recursive: true, force: true });
    else if (code !== "ENOENT") throw error;
    mkdirSync(dir, { recursive: true });
  }
}

/** A hard link, or a copy where links cannot be made (another file system). */
function link(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EXDEV" && code !== "EPERM") throw error;
    copyFileSync(from, to);
  }
}
