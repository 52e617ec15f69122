/**
 * Deploy-side figures: per-task bundle size, cold module init of a task bundle against a
 * hand-written minimal Lambda of the same task code, and synth time of a generated 50-task flow.
 * Run: `npx tsx bench/cdk.ts` (writes scratch files under bench/out/, which git ignores).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { App } from "aws-cdk-lib";
import { buildSync } from "esbuild";
import type { AnyFlow } from "stepflow";
import { FlowStack } from "stepflow/cdk";

const out = resolve("bench/out/cdk");
mkdirSync(out, { recursive: true });

/** A module of `n` tasks chained into one flow, like a user would write it. */
function generateFlow(n: number): string {
  const file = join(out, `flow-${n}.ts`);
  const tasks = Array.from(
    { length: n },
    (_, i) => `export const t${i} = task("t${i}", (x: number) => x + ${i});`,
  );
  const chain = Array.from({ length: n }, (_, i) => `  v = t${i}(v);`).join("\n");
  writeFileSync(
    file,
    `import { flow, task, type Ref } from "stepflow";\nimport { z } from "zod";\n${tasks.join("\n")}\nexport const big = flow("big${n}", { params: z.object({ x: z.number().default(1) }) }, ({ x }) => {\n  let v: Ref<number> | number = x;\n${chain}\n  return v as Ref<number>;\n});\n`,
  );
  return file;
}

/** Median of `runs` cold imports (fresh node process each) of a module, in ms. */
function initMs(file: string, runs = 7): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
  const times = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" })),
  ).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

const file = generateFlow(50);
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
console.log(
  `task bundle size: min ${sizes[0]} B, median ${sizes[sizes.length >> 1]} B, max ${sizes.at(-1)} B`,
);

// The same task code as a hand-written Lambda: no runtime, no stepflow.
const minimal = join(out, "minimal.mjs");
buildSync({
  stdin: { contents: "export const handler = async (e) => ({ v: e.args[0].v + 0 });", loader: "js" },
  bundle: true,
  format: "esm",
  platform: "node",
  minify: true,
  outfile: minimal,
});
console.log(
  `cold module init: task bundle ${initMs(join(bundles[0].dir, "index.mjs")).toFixed(1)} ms, minimal Lambda ${initMs(minimal).toFixed(1)} ms (median of 7, Node ${process.version})`,
);

t0 = performance.now();
execFileSync("npx", ["cdk", "synth", "--quiet", "-o", join(out, "cli.out")], {
  env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true" },
  stdio: "ignore",
});
console.log(`npx cdk synth of infra/app.ts (examples): ${(performance.now() - t0).toFixed(0)} ms`);
