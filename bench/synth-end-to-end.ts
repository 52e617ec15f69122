/**
 * One big flow's FlowStack end to end, in this (fresh) process: construct (compile + every
 * bundle), `app.synth()`, cdk-nag's AwsSolutions pack, and the resources of the stacks it made.
 * Run by bench/synth-scale.ts: `node --import tsx bench/synth-end-to-end.ts <tasks> <out.json>`.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { App, NestedStack, Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { AnyFlow } from "stepflow";
import { FlowStack } from "stepflow/cdk";
import { generateFlow } from "./big-flow.ts";
import { BENCH_ENV } from "./synth-apps.ts";

/** Wall and CPU seconds of one phase. */
export interface Phase {
  readonly wall: number;
  readonly cpu: number;
}

/** What the end-to-end run reports. */
export interface EndToEnd {
  readonly phases: Record<string, Phase>;
  readonly nagErrors: number;
  readonly resources: {
    readonly stacks: number;
    readonly total: number;
    readonly largest: number;
    readonly functions: number;
    readonly roles: number;
    readonly policies: number;
    readonly logGroups: number;
  };
}

/**
 * CPU seconds of this process and of its children that have been waited for (the bundle worker;
 * `/proc/self/stat` fields cutime and cstime, in clock ticks of 1/100 s on Linux).
 */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // Not Linux: the worker's CPU shows in the whole tree's figure only.
  }
  return (own.user + own.system) / 1e6 + children;
}

function timed<T>(phases: Record<string, Phase>, name: string, f: () => T): T {
  const [t0, c0] = [performance.now(), cpuSeconds()];
  const value = f();
  phases[name] = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
  return value;
}

/** Resources of every template of the assembly's stacks (nested ones included). */
function resources(app: App, assemblyDir: string, stack: Stack): EndToEnd["resources"] {
  const assembly = app.synth();
  const stacks = stack.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const templates = stacks.map((st) =>
    NestedStack.isNestedStack(st)
      ? JSON.parse(readFileSync(join(assemblyDir, st.templateFile), "utf8"))
      : assembly.getStackArtifact(st.artifactId).template,
  ) as { Resources: Record<string, { Type: string }> }[];
  const all = templates.flatMap((t) => Object.values(t.Resources));
  const count = (type: string) => all.filter((r) => r.Type === type).length;
  return {
    stacks: stacks.length,
    total: all.length,
    largest: Math.max(...templates.map((t) => Object.keys(t.Resources).length)),
    functions: count("AWS::Lambda::Function"),
    roles: count("AWS::IAM::Role"),
    policies: count("AWS::IAM::Policy"),
    logGroups: count("AWS::Logs::LogGroup"),
  };
}

const [n, outFile] = [Number(process.argv[2]), process.argv[3]];
const out = resolve("bench/out/synth");
const phases: Record<string, Phase> = {};
const t0 = performance.now();
const { big } = (await import(generateFlow(out, n))) as { big: AnyFlow };
phases["process start + import of the flow module"] = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() };
const bundleDir = join(out, `bundles-${n}`);
const assemblyDir = join(out, `cdk-${n}.out`);
rmSync(bundleDir, { recursive: true, force: true });
rmSync(assemblyDir, { recursive: true, force: true });
const app = new App({ outdir: assemblyDir });
const stack = timed(phases, "FlowStack construct (compile + bundles)", () => new FlowStack(app, `Big${n}`, { flows: [big], bundleDir, env: BENCH_ENV }));
timed(phases, "app.synth()", () => app.synth());
const report = timed(phases, "cdk-nag AwsSolutions", () => new AwsSolutionsChecks(app).validateScope(stack));
const result: EndToEnd = {
  phases,
  nagErrors: report.violations.filter((v) => v.severity === "error").length,
  resources: resources(app, assemblyDir, stack),
};
writeFileSync(outFile, JSON.stringify(result));
for (const dir of [bundleDir, assemblyDir]) rmSync(dir, { recursive: true, force: true });
