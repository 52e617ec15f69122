/**
 * Bundles Lambda code with esbuild.
 *
 * Why not `NodejsFunction`: it needs an entry file on disk per function and spawns esbuild
 * once per function. stepflow generates one tiny entry per task, builds all of a stack's
 * bundles in one child process (`bundle-worker.mjs`, esbuild's async API, many entries per
 * build) with a plugin that drops other tasks' code (`NodejsFunction` takes no plugins), and
 * writes each bundle to a content-addressed directory so concurrent syntheses never race.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { StepflowError } from "stepflow";
import type { Bundle } from "../bundle-info.ts";
import { cachedBuild, type WorkerAnswer } from "./bundle-cache.ts";

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
  /** The one export of a user module the entry imports: that module's copy may be cut to it. */
  readonly slice?: { readonly file: string; readonly exportName: string };
}

const WORKER = fileURLToPath(new URL("./bundle-worker.mjs", import.meta.url));
const cache = new Map<string, Bundle>();
/** The file names in each built bundle's directory, as the worker wrote them (not part of `Bundle`, a public type). */
const filesOf = new WeakMap<Bundle, readonly string[]>();

/** The names of the files in `bundle`'s directory when this process built or read it (else undefined: list the directory). */
export function bundleFiles(bundle: Bundle): readonly string[] | undefined {
  return filesOf.get(bundle);
}

/**
 * Builds every request not built yet in this process (one child process for all), or reads the
 * build from the on-disk cache (`bundle-cache.ts`) when an identical one ran before.
 */
export function bundleAll(requests: readonly BundleRequest[]): Bundle[] {
  const missing = [...new Map(requests.map((r) => [JSON.stringify(r), r])).entries()].filter(
    ([k]) => !cache.has(k),
  );
  if (missing.length > 0) {
    const answer = cachedBuild(
      missing.map(([, r]) => r),
      runWorker,
    );
    const built = answerBundles(answer);
    missing.forEach(([key], i) => {
      cache.set(key, built[i]);
    });
  }
  return requests.map((r) => cache.get(JSON.stringify(r))!);
}

/** Runs the worker's build of `input` and returns what it prints; a failure's `stderr` says why. */
export type WorkerRun = (input: string) => string;

/** The worker as a child process (`execFileSync`: CDK constructors are synchronous). */
export const spawnWorker: WorkerRun = (input) =>
  execFileSync(process.execPath, [WORKER], {
    input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["pipe", "pipe", "pipe"],
  });

let workerRun = spawnWorker;

/**
 * Runs the worker's builds through `run` from now on (the test suite: in a worker thread that keeps
 * esbuild's service loaded, instead of a Node process and an esbuild service per build).
 */
export function useWorkerRun(run: WorkerRun): void {
  workerRun = run;
}

/** The bundles of a worker's answer, their inputs named (and each one's file names kept for `bundleFiles`). */
export function answerBundles(answer: WorkerAnswer): Bundle[] {
  const name = (i: number) => answer.files[i];
  // Each shared set named once: a thousand bundles share ~900 inputs.
  const sets = answer.inputSets.map((set) => set.map(name));
  return answer.bundles.map(({ files, inputSet, ...b }) => {
    const own = b.inputs.map(name);
    const bundle: Bundle = { ...b, inputs: inputSet === undefined ? own : own.concat(sets[inputSet]) };
    if (files) filesOf.set(bundle, files);
    return bundle;
  });
}

/** Runs the bundle worker with `input` (`{ requests }` as JSON) and returns what it prints. */
export function runWorker(input: string, run: WorkerRun = workerRun): string {
  try {
    return run(input);
  } catch (cause) {
    const stderr = String((cause as { stderr?: unknown }).stderr ?? "").trim();
    throw new StepflowError(
      `bundling Lambda code with esbuild failed:\n${stderr}\nfix the error above (an import that does not resolve?) and synth again`,
      {
        cause,
      },
    );
  }
}

/** Builds (or returns the cached build of) one bundle. */
export function bundle(request: BundleRequest): Bundle {
  return bundleAll([request])[0];
}
