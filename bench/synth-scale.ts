/**
 * Synth of big flows, wall time and CPU time side by side (CPU is the steadier figure on a
 * loaded machine; it counts every process of the tree, esbuild's included, see cpu-tree.py):
 * - `cdk synth` of a stepflow app (one generated N-task flow), of the CDK floor (a bare
 *   `lambda.Function`, role and policy per task: what aws-cdk-lib itself costs per task) and of a
 *   hand-written CDK app with one `NodejsFunction` per task (bench/synth-apps.ts), each from an
 *   empty cloud assembly and bundle directory. Rounds are outermost and each round runs every size
 *   (in alternating order) and every app, so load drifting over the run hits all sizes alike.
 * - Per-task growth: the least-squares slope of `cdk synth` time against task count over all the
 *   sizes (50 to 1,000 tasks by default: the range issue 18 scales flows to, and a span over which
 *   5 ms a task is ~5 s, several times the ~1 s that single synths vary by), fitted for each round
 *   alone (median and min-max of the rounds) and for the medians per size. stepflow minus the
 *   floor is paired: each size runs stepflow and the floor back to back, so the difference of a
 *   round's two slopes cancels most of the load both runs shared.
 * - A FlowStack of one big flow end to end in a fresh process: construct (compile + bundles),
 *   `app.synth()`, cdk-nag's AwsSolutions pack, and the resources of its stacks.
 * Run: `npx tsx bench/synth-scale.ts [--sizes 50,1000] [--rounds 4] [--hand-sizes 200] [--big 1000]` (`--help`);
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
  --sizes a,b,...  task counts of stepflow's and the CDK floor's cdk synth, besides the hand-written
                   sizes (default 50,1000: with 200, three sizes); per-task growth = least-squares
                   slope of synth time over them
  --rounds n       rounds (default 4); each runs every size of stepflow and the floor, back to back
                   per size (a pair): per-round slopes give the spread, paired differences the gap
  --hand-sizes a,..  sizes the hand-written app also runs at (default 200: the issue's ratio; it
                   spends ~1 s of CPU a task, so one round is ~3 min; "" skips it)
  --hand-rounds n  rounds of the hand-written app (default 1)
  --base dir       also run stepflow from another checkout of this repo (its node_modules in place),
                   paired like the floor: an A/B of a change, interleaved (e.g. \`git worktree add\`
                   of main, or \`git archive\` plus a symlink to this node_modules)
  --big n          tasks of the end-to-end FlowStack (default 1000; 0 skips it)
  --no-cli         skip the cdk synth comparison
  --no-validation  run every cdk synth with CDK_VALIDATION=false: without aws-cdk-lib's built-in
                   CloudFormation validation (a WebAssembly engine started per synth, seconds of CPU
                   that vary run to run), to see the apps' own per-task cost; not what users run`;
const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "50,1000" },
    rounds: { type: "string", default: "4" },
    "hand-sizes": { type: "string", default: "200" },
    "hand-rounds": { type: "string", default: "1" },
    big: { type: "string", default: "1000" },
    "no-cli": { type: "boolean", default: false },
    "no-validation": { type: "boolean", default: false },
    base: { type: "string" },
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
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true", ...(values["no-validation"] ? { CDK_VALIDATION: "false" } : {}) },
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

/** One app of the comparison. */
interface Contender {
  readonly name: string;
  readonly rounds: number;
  readonly sizes: readonly number[];
  /** Writes the app of `n` tasks; returns its entry and the directories to empty before each run. */
  readonly write: (n: number) => { app: string; fresh: string[] };
}

/** Least-squares slope of `y` against `x`. */
function slope(x: readonly number[], y: readonly number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  const sxx = x.reduce((a, xi) => a + (xi - mx) ** 2, 0);
  return x.reduce((a, xi, i) => a + (xi - mx) * (y[i] - my), 0) / sxx;
}

/** The contender of `--base`: stepflow from another checkout. */
const BASE = "stepflow (base)";

/** `min to max` of `xs`, one decimal. */
const spread = (xs: readonly number[]) => `${f1(Math.min(...xs))} to ${f1(Math.max(...xs))}`;

/**
 * Runs every contender at each of its sizes, rounds outermost; prints medians per size and growth per task.
 * Within a round each size runs every contender back to back (stepflow next to the CDK floor, the
 * order reversed every other round), so the two runs of a pair see about the same load: their
 * difference, and the slope of that difference fitted per round, drift far less than either
 * absolute figure (one 1,000-task synth once took 5 s longer under load, the pair's other run too).
 */
function compare(contenders: readonly Contender[]): void {
  const sizes = [...new Set(contenders.flatMap((c) => c.sizes))].sort((a, b) => a - b);
  const apps = new Map(contenders.map((c) => [c, new Map(c.sizes.map((n) => [n, c.write(n)]))]));
  /** runs.get(contender).get(size)[round] */
  const runs = new Map(contenders.map((c) => [c, new Map(c.sizes.map((n): [number, Usage[]] => [n, []]))]));
  const bytes = new Map<string, string>();
  const rounds = Math.max(...contenders.map((c) => c.rounds));
  for (let round = 0; round < rounds; round++) {
    for (const n of round % 2 ? [...sizes].reverse() : sizes) {
      const here = contenders.filter((c) => round < c.rounds && c.sizes.includes(n));
      for (const c of round % 2 ? [...here].reverse() : here) {
        const a = apps.get(c)!.get(n)!;
        const u = cdkSynth(a.app, a.fresh);
        runs.get(c)!.get(n)!.push(u);
        if (!bytes.has(`${c.name} ${n}`)) bytes.set(`${c.name} ${n}`, `${medianAssetBytes(`${a.app}.out`).toLocaleString("en-US")} B`);
        // Hundreds of MB a size: the figures are taken, so nothing is left behind.
        for (const dir of [`${a.app}.out`, ...a.fresh]) rmSync(dir, { recursive: true, force: true });
        console.log(`  round ${round + 1}, ${n} tasks, ${c.name}: ${s(u.wall)} wall, ${s(u.cpu)} CPU (load ${load()})`);
      }
    }
  }
  const mid = (us: readonly Usage[]) => ({ wall: median(us.map((u) => u.wall)), cpu: median(us.map((u) => u.cpu)) });
  const rows = [["tasks", ...contenders.map((c) => `${c.name} wall / CPU (min to max)`), "stepflow / hand-written, wall / CPU", "median Lambda asset, each"]];
  const [ours, hand] = [contenders[0], contenders.find((c) => c.name === "hand-written")];
  for (const n of sizes) {
    const m = (c: Contender) => (runs.get(c)!.has(n) ? mid(runs.get(c)!.get(n)!) : undefined);
    const [o, h] = [m(ours), hand && m(hand)];
    const ratio = o && h ? `${(o.wall / h.wall).toFixed(2)}x / ${(o.cpu / h.cpu).toFixed(2)}x` : "-";
    const cells = contenders.map((c) => {
      const us = runs.get(c)!.get(n);
      if (!us) return "-";
      const x = mid(us);
      return `${s(x.wall)} (${spread(us.map((u) => u.wall))}) / ${s(x.cpu)} (${spread(us.map((u) => u.cpu))})`;
    });
    rows.push([`${n}`, ...cells, ratio, contenders.map((c) => bytes.get(`${c.name} ${n}`) ?? "-").join(" / ")]);
  }
  const title = contenders.map((c) => `${c.rounds} ${c.name}`).join(", ");
  printTable(`cdk synth (median of ${title} rounds, interleaved; CPU of the whole process tree)`, rows);
  growthTable(contenders, runs);
}

/** Per-task growth (ms a task): per contender, and stepflow minus the CDK floor paired round by round. */
function growthTable(contenders: readonly Contender[], runs: ReadonlyMap<Contender, ReadonlyMap<number, readonly Usage[]>>): void {
  const growth = [["per-task growth, ms a task", "wall: median of rounds (min to max); medians' slope", "CPU: median of rounds (min to max); medians' slope"]];
  const fit = (sizes: readonly number[], us: readonly Usage[]) => ({
    wall: slope(sizes, us.map((u) => u.wall)) * 1000,
    cpu: slope(sizes, us.map((u) => u.cpu)) * 1000,
  });
  const row = (name: string, perRound: readonly Usage[], ofMedians: Usage) => {
    const cell = (k: "wall" | "cpu") => `${f1(median(perRound.map((r) => r[k])))} (${spread(perRound.map((r) => r[k]))}); ${f1(ofMedians[k])}`;
    growth.push([name, cell("wall"), cell("cpu")]);
  };
  const slopes = new Map<Contender, Usage[]>();
  for (const c of contenders.filter((c) => c.sizes.length > 1)) {
    const perRound = Array.from({ length: c.rounds }, (_, r) => fit(c.sizes, c.sizes.map((n) => runs.get(c)!.get(n)![r])));
    slopes.set(c, perRound);
    const medians = c.sizes.map((n) => ({ wall: median(runs.get(c)!.get(n)!.map((u) => u.wall)), cpu: median(runs.get(c)!.get(n)!.map((u) => u.cpu)) }));
    row(`${c.name}, ${c.sizes.join(" / ")} tasks`, perRound, fit(c.sizes, medians));
  }
  // Paired: each round's slope of one app minus the same round's slope of the other (the slope of
  // the round's differences), and the slope of the per-size medians of the paired differences.
  const paired = (x: Contender | undefined, y: Contender | undefined) => {
    const [a, b] = [x && slopes.get(x), y && slopes.get(y)];
    if (!x || !y || !a || !b || a.length !== b.length || x.sizes.join() !== y.sizes.join()) return;
    const perRound = a.map((r, i) => ({ wall: r.wall - b[i].wall, cpu: r.cpu - b[i].cpu }));
    const diffs = x.sizes.map((n) => {
      const [p, q] = [runs.get(x)!.get(n)!, runs.get(y)!.get(n)!];
      return { wall: median(p.map((u, i) => u.wall - q[i].wall)), cpu: median(p.map((u, i) => u.cpu - q[i].cpu)) };
    });
    row(`${x.name} minus ${y.name} (paired per round)`, perRound, fit(x.sizes, diffs));
  };
  const named = (name: string) => contenders.find((c) => c.name === name);
  paired(contenders[0], named("CDK floor"));
  paired(named(BASE), named("CDK floor"));
  paired(contenders[0], named(BASE));
  if (growth.length > 1) printTable(`cdk synth growth per task: least-squares slope over the sizes (issue 18: <= 5 ms)`, growth);
}

const f1 = (x: number) => x.toFixed(1);

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
const list = (v: string) => v.split(",").filter((x) => x.trim() !== "").map(Number);
const rounds = Number(values.rounds);
const all: Contender[] = [
  { name: "stepflow", rounds, sizes: list(values.sizes), write: (n) => {
    const bundleDir = join(out, `cli-bundles-${n}`);
    return { app: stepflowApp(out, n, bundleDir), fresh: [bundleDir] };
  } },
  { name: "CDK floor", rounds, sizes: list(values.sizes), write: (n) => ({ app: floorApp(out, n), fresh: [] }) },
  { name: "hand-written", rounds: Number(values["hand-rounds"]), sizes: list(values["hand-sizes"]), write: (n) => ({ app: handWrittenApp(out, n), fresh: [] }) },
  { name: BASE, rounds: values.base ? rounds : 0, sizes: list(values.sizes), write: (n) => {
    // Written inside the other checkout, so `stepflow/cdk` resolves to its code.
    const dir = join(resolve(values.base ?? "."), "bench/out/synth");
    const bundleDir = join(dir, `cli-bundles-${n}`);
    return { app: stepflowApp(dir, n, bundleDir), fresh: [bundleDir] };
  } },
];
// stepflow and the floor run at the hand-written app's sizes too (for the ratio), so both slopes
// are fitted over the same sizes; within a round they run back to back at each size (paired).
const sizes = [...new Set([...list(values.sizes), ...all[2].sizes])].sort((x, y) => x - y);
for (const i of [0, 1, 3]) all[i] = { ...all[i], sizes };
if (!values["no-cli"]) compare(all.filter((c) => c.rounds > 0 && c.sizes.length > 0));
if (Number(values.big) > 0) endToEnd(Number(values.big));
console.log(`\nload average at end: ${load()}`);
