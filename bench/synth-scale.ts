/**
 * Synth of big flows, wall time and CPU time side by side (CPU is the steadier figure on a
 * loaded machine; it counts every process of the tree, esbuild's included, see cpu-tree.py):
 * - `cdk synth` of a stepflow app (one generated N-task flow) against a hand-written CDK app with
 *   one `NodejsFunction` per task (bench/synth-apps.ts), interleaved round by round so load hits
 *   both alike, each from an empty cloud assembly and bundle directory; per-task growth is the
 *   slope between the smallest and the largest size;
 * - a FlowStack of one big flow end to end in a fresh process: construct (compile + bundles),
 *   `app.synth()`, cdk-nag's AwsSolutions pack, and the resources of its stacks.
 * Run: `npx tsx bench/synth-scale.ts [--sizes 50,200] [--rounds 3] [--hand-rounds 1] [--big 1000]` (`--help`);
 * scratch files under bench/out/ (git ignores it; assemblies and bundles are removed once measured). Needs python3 (for CPU of the process tree).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { median } from "./median.ts";
import { printTable } from "./print-table.ts";
import { floorApp, handWrittenApp, stepflowApp } from "./synth-apps.ts";
import type { EndToEnd } from "./synth-end-to-end.ts";

const HELP = `usage: npx tsx bench/synth-scale.ts [options]
  --sizes a,b    task counts of the cdk synth comparison (default 50,200; growth = slope a -> b)
  --rounds n     rounds of stepflow's cdk synth, median reported (default 3)
  --hand-rounds n  rounds of the hand-written app's (default 1: it spends ~1 s of CPU a task, so one
                 round gives its growth; three take most of the bench's time; 0 skips it)
                 (the CDK floor, a bare lambda.Function and role per task, runs --rounds rounds)
  --big n        tasks of the end-to-end FlowStack (default 1000; 0 skips it)
  --no-cli       skip the cdk synth comparison`;
const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "50,200" },
    rounds: { type: "string", default: "3" },
    "hand-rounds": { type: "string", default: "1" },
    big: { type: "string", default: "1000" },
    "no-cli": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const out = resolve("bench/out/synth");
mkdirSync(out, { recursive: true });
const CDK = resolve("node_modules/aws-cdk/bin/cdk");
const CPU_TREE = fileURLToPath(new URL("./cpu-tree.py", import.meta.url));

/** Wall and CPU seconds of a command's whole process tree. */
interface Usage {
  readonly wall: number;
  readonly cpu: number;
}

/** Runs a command under cpu-tree.py; fails when it fails. */
function treeRun(command: string, args: readonly string[]): Usage {
  const file = join(out, "usage.json");
  try {
    // Output kept (and shown only on failure): NodejsFunction prints a line per bundle.
    execFileSync("python3", [CPU_TREE, file, command, ...args], {
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true" },
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 1 << 28,
    });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${e.stdout ?? ""}${e.stderr ?? ""}`);
    throw error;
  }
  const u = JSON.parse(readFileSync(file, "utf8")) as { wall: number; user: number; sys: number };
  return { wall: u.wall, cpu: u.user + u.sys };
}

/** `cdk synth` of an app from an empty cloud assembly (and `fresh` directories removed first). */
function cdkSynth(app: string, fresh: readonly string[]): Usage {
  for (const dir of [`${app}.out`, ...fresh]) rmSync(dir, { recursive: true, force: true });
  const appCommand = `${process.execPath} --import tsx ${app}`;
  return treeRun(process.execPath, [CDK, "synth", "--quiet", "--app", appCommand, "-o", `${app}.out`]);
}

/** Median bytes of the Lambda assets (`asset.*` directories) of a cloud assembly. */
function medianAssetBytes(assembly: string): number {
  const sizes = readdirSync(assembly)
    .filter((d) => d.startsWith("asset.") && statSync(join(assembly, d)).isDirectory())
    .map((d) => readdirSync(join(assembly, d), { recursive: true }).reduce<number>((n, f) => {
      const s = statSync(join(assembly, d, String(f)));
      return s.isFile() ? n + s.size : n;
    }, 0));
  return median(sizes);
}

const s = (x: number) => `${x.toFixed(1)} s`;
const ms = (x: number) => `${(x * 1000).toFixed(1)} ms`;

/** One app of the comparison. */
interface Contender {
  readonly name: string;
  readonly rounds: number;
  /** Writes the app of `n` tasks; returns its entry and the directories to empty before each run. */
  readonly write: (n: number) => { app: string; fresh: string[] };
}

/** Per size, the medians of each contender's runs, interleaved round by round; then the slopes. */
function compare(sizes: readonly number[], contenders: readonly Contender[]): void {
  const rows = [["tasks", ...contenders.map((c) => `${c.name} wall / CPU`), "stepflow / hand-written, wall / CPU", "median Lambda asset, each"]];
  const figures: Usage[][] = [];
  for (const n of sizes) {
    const apps = contenders.map((c) => c.write(n));
    const runs = contenders.map((): Usage[] => []);
    for (let round = 0; round < Math.max(...contenders.map((c) => c.rounds)); round++)
      contenders.forEach((c, i) => round < c.rounds && runs[i].push(cdkSynth(apps[i].app, apps[i].fresh)));
    const medians = runs.map((us) => ({ wall: median(us.map((u) => u.wall)), cpu: median(us.map((u) => u.cpu)) }));
    figures.push(medians);
    const [ours, hand] = [medians[0], medians[contenders.findIndex((c) => c.name === "hand-written")]];
    const ratio = hand ? `${(ours.wall / hand.wall).toFixed(2)}x / ${(ours.cpu / hand.cpu).toFixed(2)}x` : "-";
    const bytes = apps.map((a) => `${medianAssetBytes(`${a.app}.out`).toLocaleString("en-US")} B`).join(" / ");
    rows.push([`${n}`, ...medians.map((m) => `${s(m.wall)} / ${s(m.cpu)}`), ratio, bytes]);
    console.log(rows.at(-1)!.join(" | "));
    // Hundreds of MB a size: the figures are taken, so nothing is left behind.
    for (const a of apps) for (const dir of [`${a.app}.out`, ...a.fresh]) rmSync(dir, { recursive: true, force: true });
  }
  if (sizes.length > 1) {
    const tasks = sizes.at(-1)! - sizes[0];
    const slope = (i: number) => {
      const [x, y] = [figures[0][i], figures.at(-1)![i]];
      return `${ms((y.wall - x.wall) / tasks)} / ${ms((y.cpu - x.cpu) / tasks)}`;
    };
    rows.push([`per task, ${sizes[0]} -> ${sizes.at(-1)}`, ...contenders.map((_, i) => slope(i))]);
  }
  const rounds = contenders.map((c) => `${c.rounds} ${c.name}`).join(", ");
  printTable(`cdk synth (median of ${rounds} rounds, interleaved; CPU of the whole process tree)`, rows);
}

/** The end-to-end FlowStack, run in a fresh process (bench/synth-end-to-end.ts). */
function endToEnd(n: number): void {
  const file = join(out, `end-to-end-${n}.json`);
  const tree = treeRun(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./synth-end-to-end.ts", import.meta.url)), String(n), file]);
  const e = JSON.parse(readFileSync(file, "utf8")) as EndToEnd;
  const rows = [["phase", "wall", "CPU (this process + bundle worker)"]];
  for (const [name, p] of Object.entries(e.phases)) rows.push([name, s(p.wall), s(p.cpu)]);
  rows.push(["whole process tree (esbuild, process start included)", s(tree.wall), s(tree.cpu)]);
  printTable(`FlowStack of one ${n}-task flow, end to end`, rows);
  const r = e.resources;
  console.log(
    `  ${r.stacks} stacks, ${r.total} resources (largest stack ${r.largest}); Lambda functions ${r.functions}, roles ${r.roles}, policies ${r.policies}, log groups ${r.logGroups}; cdk-nag AwsSolutions errors: ${e.nagErrors}`,
  );
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(`load average at start: ${load()}`);
const sizes = values.sizes.split(",").map(Number);
const all: Contender[] = [
  { name: "stepflow", rounds: Number(values.rounds), write: (n) => {
    const bundleDir = join(out, `cli-bundles-${n}`);
    return { app: stepflowApp(out, n, bundleDir), fresh: [bundleDir] };
  } },
  { name: "hand-written", rounds: Number(values["hand-rounds"]), write: (n) => ({ app: handWrittenApp(out, n), fresh: [] }) },
  { name: "CDK floor", rounds: Number(values.rounds), write: (n) => ({ app: floorApp(out, n), fresh: [] }) },
];
if (!values["no-cli"]) compare(sizes, all.filter((c) => c.rounds > 0));
if (Number(values.big) > 0) endToEnd(Number(values.big));
console.log(`\nload average at end: ${load()}`);
