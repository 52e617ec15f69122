/**
 * Bundles Lambda code with esbuild's synchronous API, in process.
 *
 * Why not `NodejsFunction`: it needs an entry file on disk per function and spawns the esbuild
 * CLI once per function; stepflow generates one tiny entry per task, builds it in-process with
 * `buildSync` (a few ms each), injects `@__PURE__` annotations into flow modules so other
 * tasks' code is dropped (an esbuild plugin, which `NodejsFunction` cannot take), and writes
 * each bundle to a content-addressed directory so concurrent syntheses never race.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { purePlugin } from "./pure-plugin.ts";

/** A built Lambda bundle. */
export interface Bundle {
  /** Directory holding `index.mjs` (handler `index.handler`). */
  readonly dir: string;
  /** Size of `index.mjs` in bytes. */
  readonly bytes: number;
  /** Source files in the bundle, relative to the working directory. */
  readonly inputs: readonly string[];
}

/** What to bundle: generated entry source and the directory its imports resolve from. */
export interface BundleRequest {
  readonly source: string;
  readonly resolveDir: string;
  /** Files whose top-level stepflow calls get `@__PURE__` (the flow modules). */
  readonly pureFiles: readonly string[];
  /** Where bundles are written. */
  readonly outRoot: string;
  /** Bundle the AWS SDK v3 instead of using the copy in the Lambda runtime. */
  readonly bundleAwsSdk: boolean;
}

const cache = new Map<string, Bundle>();

/** Builds (or returns the cached build of) one Lambda bundle. */
export function bundle(request: BundleRequest): Bundle {
  const key = JSON.stringify(request);
  const hit = cache.get(key);
  if (hit) return hit;
  const result = buildSync({
    stdin: {
      contents: request.source,
      resolveDir: request.resolveDir,
      sourcefile: "stepflow-entry.ts",
      loader: "ts",
    },
    bundle: true,
    write: false,
    outfile: "index.mjs",
    platform: "node",
    format: "esm",
    target: "node22",
    minify: true,
    treeShaking: true,
    legalComments: "none",
    metafile: true,
    // The Lambda nodejs22.x runtime ships the AWS SDK v3; leaving it out keeps bundles small.
    external: request.bundleAwsSdk ? [] : ["@aws-sdk/*", "@smithy/*"],
    // CommonJS dependencies inside an ES module bundle may still call `require`.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    plugins: [purePlugin(request.pureFiles)],
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 20);
  const dir = join(request.outRoot, hash);
  if (!existsSync(join(dir, "index.mjs"))) {
    mkdirSync(dir, { recursive: true });
    // Write then rename: another synth writing the same bundle never sees half a file.
    const tmp = join(dir, `index.mjs.${process.pid}.tmp`);
    writeFileSync(tmp, code);
    renameSync(tmp, join(dir, "index.mjs"));
  }
  const built: Bundle = { dir, bytes: code.byteLength, inputs: Object.keys(result.metafile.inputs) };
  cache.set(key, built);
  return built;
}
