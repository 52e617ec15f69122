/**
 * Synth of big flows: FlowStack construction (compile + bundles) and `app.synth()` at 50, 200 and
 * 1,000 tasks, cdk-nag's AwsSolutions pack on the 1,000-task stack, and `cdk synth` of a stepflow
 * app against a hand-written CDK app with one `NodejsFunction` per task (same task code), at 50
 * and 200 tasks, interleaved. Every run starts from an empty bundle directory and cloud assembly.
 * Run: `npx tsx bench/synth-scale.ts [sizes...]` (scratch files under bench/out/, which git ignores);
 * `CLI=0` skips the `cdk synth` comparison, `IN_PROCESS=0` the in-process figures, `ROUNDS=n` sets
 * the comparison's rounds.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { AnyFlow } from "stepflow";
import { FlowStack } from "stepflow/cdk";
import { generateFlow } from "./big-flow.ts";
import { printTable } from "./print-table.ts";

const out = resolve("bench/out/synth");
mkdirSync(out, { recursive: true });
const env = { account: "123456789012", region: "eu-west-1" };
/** Rounds of the `cdk synth` comparison (env `ROUNDS`, default 3). */
const ROUNDS = Number(process.env.ROUNDS ?? 3);

/** Resources of a stack and its nested stacks. */
function resources(stack: Stack): number {
  const own = Object.keys(
    (stack.node.root as App).synth().getStackArtifact(stack.artifactId).template.Resources ?? {},
  ).length;
  return own;
}

/** In-process figures of one flow of `n` tasks. */
async function inProcess(n: number, nag: boolean): Promise<string[]> {
  const { big } = (await import(generateFlow(out, n))) as { big: AnyFlow };
  const bundleDir = join(out, `bundles-${n}`);
  rmSync(bundleDir, { recursive: true, force: true });
  rmSync(join(out, `cdk-${n}.out`), { recursive: true, force: true });
  let t0 = performance.now();
  const app = new App({ outdir: join(out, `cdk-${n}.out`) });
  const stack = new FlowStack(app, `Big${n}`, { flows: [big], bundleDir, env });
  const construct = performance.now() - t0;
  t0 = performance.now();
  app.synth();
  const synth = performance.now() - t0;
  const stacks = stack.node.findAll().filter((c) => Stack.isStack(c)).length;
  let nagErrors = "";
  if (nag) {
    t0 = performance.now();
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const errors = report.violations.filter((v) => v.severity === "error").length;
    nagErrors = `${errors} errors (${((performance.now() - t0) / 1000).toFixed(1)} s)`;
  }
  return [`${n}`, `${(construct / 1000).toFixed(1)} s`, `${(synth / 1000).toFixed(1)} s`, `${stacks} (${resources(stack)} in the parent)`, nagErrors];
}

/** A hand-written CDK app: one NodejsFunction per task, each with the task's code as its handler. */
function handWrittenApp(n: number): string {
  const dir = join(out, `hand-${n}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++)
    writeFileSync(join(dir, `t${i}.ts`), `export const handler = async (e: { v: number }) => ({ v: e.v + ${i} });\n`);
  const app = join(out, `hand-app-${n}.ts`);
  writeFileSync(
    app,
    `import { App, Stack } from "aws-cdk-lib";
import { Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
const app = new App();
const stack = new Stack(app, "Hand${n}", { env: ${JSON.stringify(env)} });
for (let i = 0; i < ${n}; i++)
  new NodejsFunction(stack, \`T\${i}\`, { entry: \`${dir}/t\${i}.ts\`, runtime: Runtime.NODEJS_22_X, bundling: { format: "esm" as never, minify: true } });
`,
  );
  return app;
}

function stepflowApp(n: number): string {
  const app = join(out, `stepflow-app-${n}.ts`);
  writeFileSync(
    app,
    `import { App } from "aws-cdk-lib";
import { FlowStack } from "stepflow/cdk";
import { big } from ${JSON.stringify(generateFlow(out, n))};
const app = new App();
new FlowStack(app, "Big${n}", { flows: [big], bundleDir: ${JSON.stringify(join(out, `cli-bundles-${n}`))}, env: ${JSON.stringify(env)} });
`,
  );
  return app;
}

/** Wall time of `cdk synth` of an app, from an empty cloud assembly (and bundle directory). */
function cdkSynth(app: string, n: number): number {
  const assembly = `${app}.out`;
  rmSync(assembly, { recursive: true, force: true });
  rmSync(join(out, `cli-bundles-${n}`), { recursive: true, force: true });
  const t0 = performance.now();
  execFileSync("npx", ["cdk", "synth", "--quiet", "--app", `npx tsx ${app}`, "-o", assembly], {
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true" },
    stdio: "ignore",
  });
  return performance.now() - t0;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

const sizes = process.argv.slice(2).map(Number);
const rows = [["tasks", "FlowStack construct", "app.synth()", "stacks", "cdk-nag AwsSolutions"]];
for (const n of process.env.IN_PROCESS === "0" ? [] : sizes.length ? sizes : [50, 200, 1000]) {
  rows.push(await inProcess(n, n >= 1000));
  console.log(rows.at(-1)!.join(" | "));
}
printTable("big flows in-process (fresh bundle directory each)", rows);
if (process.env.CLI === "0") process.exit(0);

// cdk synth, stepflow vs hand-written, interleaved so that machine load hits both alike.
const cli = [["tasks", "stepflow cdk synth", "hand-written cdk synth", "ratio"]];
const perTask: Record<string, number[]> = {};
for (const n of [50, 200]) {
  const [ours, hand] = [stepflowApp(n), handWrittenApp(n)];
  const times = { ours: [] as number[], hand: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    times.ours.push(cdkSynth(ours, n));
    times.hand.push(cdkSynth(hand, n));
  }
  const [o, h] = [median(times.ours), median(times.hand)];
  perTask[n] = [o, h];
  cli.push([`${n}`, `${(o / 1000).toFixed(1)} s`, `${(h / 1000).toFixed(1)} s`, `${(o / h).toFixed(2)}x`]);
  console.log(cli.at(-1)!.join(" | "));
}
const growth = (i: 0 | 1) => (perTask[200][i] - perTask[50][i]) / 150;
cli.push(["per task, 50 -> 200", `${growth(0).toFixed(1)} ms`, `${growth(1).toFixed(1)} ms`, ""]);
printTable(`cdk synth (median of ${ROUNDS}, interleaved)`, cli);
