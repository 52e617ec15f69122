/**
 * Local runner overhead: runLocal beside the same ASL run bare in aws-local-stepfunctions with
 * trivial handlers, on a 1,000-item map, a 1,000-item map of two chained tasks, and 200- and
 * 500-task chains: issue 18's target is runLocal <= 1.3x bare.
 * Run: `npx tsx bench/local.ts` (add `--workers` for a third side, task functions in the worker
 * pool; `--against DIR`: another checkout's runLocal as one more side, for A/B; `--rounds N` to change
 * the number of rounds; `--case KEY` for some cases only: map, mapchain, chain200, chain500).
 *
 * Built to resolve 1.3x on a shared machine: the sides run interleaved, one sample of each per
 * round in rotating order (bare, local; local, bare; ...), so drift and other processes' load hit
 * both; a sample of a small case runs the flow several times back to back (at least ~40 ms of
 * bare work); `--gc` runs a full GC before every sample (off by default: see `GC`). Each
 * round gives a ratio (runLocal's sample over bare's of the same round), in wall time and in this
 * process's CPU time (all threads); the table shows the median ratio and its quartiles.
 *
 * The bare side runs the definition runLocal runs (`prepare`), so both take the same path: a list
 * longer than its inline Map's item budget (the map of 2 tasks: 832 items) goes, as on AWS, to the
 * Distributed Map, which the bare side runs as the same stand-in inline Map over the list, without
 * stepflow's store, history or limits.
 */
import "promise.withresolvers/auto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runLocal } from "../sdk/local/index.ts";
import { bare } from "./local-bare.ts";
import { chain500Flow, chainFlow, mapChainFlow, mapFlow } from "./local-flows.ts";
import { printTable } from "./print-table.ts";

const args = process.argv.slice(2);
const WORKERS = args.includes("--workers");
const roundsArg = args.indexOf("--rounds");
/** Rounds per case (each: one sample of every side). */
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 21;
/** `--case chain500`: only the cases whose key contains this. */
const caseArg = args.indexOf("--case");
const ONLY = caseArg >= 0 ? args[caseArg + 1] : "";
const againstArg = args.indexOf("--against");
const AGAINST = againstArg >= 0 ? args[againstArg + 1] : undefined;
// Off by default: a forced full GC made the next sample slower, not steadier (bare 500-task chain 50 ms
// of CPU instead of 23 at load 16, even 30 ms after it): it drops compiled code that is then rebuilt.
const GC = args.includes("--gc");
const GC_SETTLE_MS = 30;
const WARMUP = 3;
/** A sample of a small case repeats the flow until the bare side's work is about this long. */
const SAMPLE_MS = 40;

// A full collection on demand without a command-line flag (so `npx tsx bench/local.ts` works as is).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

type Side = { readonly name: string; readonly run: () => Promise<void> };
type Sample = { readonly ms: number; readonly cpuMs: number };

/** One sample: `reps` runs of `fn` after a full GC, wall and process CPU time per run. */
async function sample(fn: () => Promise<void>, reps: number): Promise<Sample> {
  if (GC) {
    gc();
    // The collector's threads finish sweeping meanwhile, which would count in the sample's CPU time.
    await new Promise((r) => setTimeout(r, GC_SETTLE_MS));
  }
  const c = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  const ms = (performance.now() - t) / reps;
  const used = process.cpuUsage(c);
  return { ms, cpuMs: (used.user + used.system) / 1000 / reps };
}

/** `rounds` samples of every side, in rotating order; warm-ups first. */
async function interleaved(sides: readonly Side[], reps: number, rounds: number): Promise<Sample[][]> {
  for (const s of sides) for (let i = 0; i < WARMUP; i++) await s.run();
  const samples: Sample[][] = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (r + k) % sides.length;
      samples[i].push(await sample(sides[i].run, reps));
    }
  }
  return samples;
}

/** The `q` quantile of `xs` (linear between ranks). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}

/** "1.23x (1.20-1.27)": the median of the per-round ratios and their quartiles. */
function ratios(side: readonly number[], base: readonly number[]): string {
  const rs = side.map((v, i) => v / base[i]);
  return `${quantile(rs, 0.5).toFixed(2)}x (${quantile(rs, 0.25).toFixed(2)}-${quantile(rs, 0.75).toFixed(2)})`;
}

const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-"));
const cases = [
  { key: "map", name: "map of 1,000 items", flow: mapFlow, flowName: "mapFlow" as const, params: { n: 1000 } },
  { key: "mapchain", name: "map of 1,000 items, 2 tasks each", flow: mapChainFlow, flowName: "mapChainFlow" as const, params: { n: 1000 } },
  { key: "chain200", name: "200 sequential tasks", flow: chainFlow, flowName: "chainFlow" as const, params: {} },
  { key: "chain500", name: "500 sequential tasks", flow: chain500Flow, flowName: "chain500Flow" as const, params: {} },
].filter((c) => c.key.includes(ONLY));
const rows: string[][] = [["case", "side", "runs/sample", "wall", "CPU", "wall ratio (q1-q3)", "CPU ratio (q1-q3)"]];
const load = loadavg()[0];
// `--against DIR`: runLocal of another checkout (its bench/local-flows.ts too) as one more side, for A/B.
const against = AGAINST
  ? {
      runLocal: ((await import(resolve(AGAINST, "sdk/local/index.ts"))) as typeof import("../sdk/local/index.ts")).runLocal,
      flows: (await import(resolve(AGAINST, "bench/local-flows.ts"))) as typeof import("./local-flows.ts"),
    }
  : undefined;
for (const c of cases) {
  const local = (isolation: "worker" | undefined, run = runLocal, f = c.flow) => async () => {
    const r = await run(f, c.params as never, { dir, isolation });
    if (r.status !== "SUCCEEDED") throw new Error(`${c.name}: ${r.status} ${JSON.stringify(r.error)}`);
  };
  const sides: Side[] = [
    { name: "bare", run: bare(c.flow, c.params, 1000) },
    { name: "runLocal", run: local(undefined) },
  ];
  if (WORKERS) sides.push({ name: "runLocal, workers", run: local("worker") });
  if (against) sides.push({ name: `runLocal of ${AGAINST}`, run: local(undefined, against.runLocal, against.flows[c.flowName]) });
  // Repetitions per sample from the fastest of 5 timed bare runs, after warm-ups (a single timed run
  // right after the first, its code not optimised yet, gave one run per sample and wide quartiles).
  for (let i = 0; i < WARMUP; i++) await sides[0].run();
  const timed: number[] = [];
  for (let i = 0; i < 5; i++) timed.push((await sample(sides[0].run, 1)).ms);
  const reps = Math.max(1, Math.round(SAMPLE_MS / Math.min(...timed)));
  const samples = await interleaved(sides, reps, ROUNDS);
  const [b] = samples;
  const med = (xs: readonly number[]) => `${quantile(xs, 0.5).toFixed(1)} ms`;
  sides.forEach((side, i) => {
    const wall = samples[i].map((x) => x.ms);
    const cpu = samples[i].map((x) => x.cpuMs);
    const vsBare = i === 0 ? ["", ""] : [ratios(wall, b.map((x) => x.ms)), ratios(cpu, b.map((x) => x.cpuMs))];
    rows.push([i === 0 ? c.name : "", side.name, String(reps), med(wall), med(cpu), ...vsBare]);
  });
  if (against) {
    // This checkout's runLocal over the other's, round by round: the A/B figure.
    const [l, a] = [samples[1], samples[samples.length - 1]];
    const ab = [ratios(l.map((x) => x.ms), a.map((x) => x.ms)), ratios(l.map((x) => x.cpuMs), a.map((x) => x.cpuMs))];
    rows.push(["", "runLocal / the other runLocal", "", "", "", ...ab]);
  }
}
const loads = `load average ${load.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
printTable(`local runner: runLocal / bare aws-local-stepfunctions, per run, interleaved, median of ${ROUNDS} rounds (ratio quartiles), ${loads}`, rows);
await rm(dir, { recursive: true, force: true });
// The worker pool's threads would keep the process alive.
process.exit(0);
