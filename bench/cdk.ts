/**
 * Deploy-side figures: per-task bundle size, cold start of a task bundle against hand-written
 * Lambdas of the same task code (bare, and with Powertools Logger), and synth time of a generated 50-task flow.
 * Run: `npx tsx bench/cdk.ts` (writes scratch files under bench/out/, which git ignores).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { App } from "aws-cdk-lib";
import { buildSync } from "esbuild";
import type { AnyFlow } from "stepflow";
import { FlowStack } from "stepflow/cdk";
import { generateFlow } from "./big-flow.ts";
import { median } from "./median.ts";

const out = resolve("bench/out/cdk");
mkdirSync(out, { recursive: true });

/** Cold start figures of one module. */
interface InitFigures {
  /** Time to import the module (function init: what the module's own code costs). */
  readonly importMs: number;
  /** Process start until the handler is exported (runtime boot + function init, which is what
   * Lambda's "Init Duration" covers). */
  readonly readyMs: number;
}

/** Cold start figures of each module, interleaved (one process per module per round) so that load on
 * a shared machine hits every module alike; medians of `runs` rounds. */
function initFigures(files: readonly string[], runs = 15): InitFigures[] {
  const imports = files.map((): number[] => []);
  const ready = files.map((): number[] => []);
  for (let round = 0; round < runs; round++) {
    files.forEach((file, i) => {
      const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
      const t0 = performance.now();
      imports[i].push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })));
      ready[i].push(performance.now() - t0);
    });
  }
  return files.map((_, i) => ({ importMs: median(imports[i]), readyMs: median(ready[i]) }));
}

/** A hand-written Lambda of the same task code, bundled as the task bundles are. */
function handWritten(name: string, contents: string): string {
  const outfile = join(out, `${name}.mjs`);
  buildSync({
    stdin: { contents, loader: "js", resolveDir: process.cwd() },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    minify: true,
    outfile,
    logLevel: "silent",
  });
  return outfile;
}

const file = generateFlow(out, 50);
const { big } = (await import(file)) as { big: AnyFlow };

let t0 = performance.now();
const app = new App({ outdir: join(out, "cdk.out") });
const stack = new FlowStack(app, "Bench", {
  flows: [big],
  env: { account: "123456789012", region: "eu-west-1" },
});
const construct = performance.now() - t0;
t0 = performance.now();
app.synth();
const synth = performance.now() - t0;
console.log(
  `50-task flow: FlowStack construct (compile + 51 bundles) ${construct.toFixed(0)} ms, app.synth ${synth.toFixed(0)} ms`,
);

const bundles = [...stack.flows.get("big50")!.bundles.values()];
const sizes = bundles.map((b) => b.bytes).sort((a, b) => a - b);
const initSizes = bundles.map((b) => b.initBytes).sort((a, b) => a - b);
console.log(
  `task bundle size: min ${sizes[0]} B, median ${median(sizes)} B, max ${sizes.at(-1)} B; loaded at cold start (index.mjs and its static imports): median ${median(initSizes)} B`,
);

// The same task code as hand-written Lambdas: bare, and logging through Powertools Logger as the
// project's standards (and AWS's Lambda guidance) ask of a production Lambda.
const baselines = {
  "hand-written, no logging": handWritten("bare", "export const handler = async (e) => ({ v: e.args[0].v + 0 });"),
  "hand-written, Powertools Logger": handWritten(
    "powertools",
    `import { Logger } from "@aws-lambda-powertools/logger";
const logger = new Logger({ serviceName: "t0" });
export const handler = async (e) => { logger.info("t0", { input: e }); return { v: e.args[0].v + 0 }; };`,
  ),
};
const [ours, ...bases] = initFigures([join(bundles[0].dir, "index.mjs"), ...Object.values(baselines)]);
console.log(`cold start, median of 15 fresh processes each, interleaved (Node ${process.version}):`);
console.log(`  stepflow task bundle: import ${ours.importMs.toFixed(1)} ms, process start to ready ${ours.readyMs.toFixed(1)} ms`);
Object.entries(baselines).forEach(([name, path], i) => {
  const base = bases[i];
  console.log(
    `  ${name} (${statSync(path).size} B): import ${base.importMs.toFixed(1)} ms (stepflow ${(ours.importMs / base.importMs).toFixed(2)}x), process start to ready ${base.readyMs.toFixed(1)} ms (stepflow ${(ours.readyMs / base.readyMs).toFixed(2)}x)`,
  );
});

t0 = performance.now();
execFileSync("npx", ["cdk", "synth", "--quiet", "-o", join(out, "cli.out")], {
  env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true" },
  stdio: "ignore",
});
console.log(`npx cdk synth of infra/app.ts (examples): ${(performance.now() - t0).toFixed(0)} ms`);

// The AWS SDK bundled (default: the lockfile's versions run) or left to the Lambda runtime's copy:
// size and cold start (import) of the same task's bundle. The runtime imports its S3, DynamoDB and
// Secrets Manager clients on first use in both cases; bundled, they are chunks of the bundle that
// a cold start does not load.
const sdkBundles = ([true, false] as const).map((bundleAwsSdk) => {
  const a = new App({ outdir: join(out, `sdk-${bundleAwsSdk}.out`) });
  const s = new FlowStack(a, "Sdk", { flows: [big], bundleAwsSdk, env: { account: "123456789012", region: "eu-west-1" } });
  return s.flows.get("big50")!.bundles.get("t0")!;
});
const [bundled, external] = initFigures(sdkBundles.map((b) => join(b.dir, "index.mjs")));
console.log(
  `AWS SDK bundled (default) vs the runtime's: task bundle ${sdkBundles[0].bytes} B (${sdkBundles[0].initBytes} B at cold start) vs ${sdkBundles[1].bytes} B; import ${bundled.importMs.toFixed(1)} ms vs ${external.importMs.toFixed(1)} ms; process start to ready ${bundled.readyMs.toFixed(1)} ms vs ${external.readyMs.toFixed(1)} ms`,
);
