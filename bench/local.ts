/**
 * Local runner overhead: runLocal beside the same ASL run bare in aws-local-stepfunctions with
 * trivial handlers, on a 1,000-item map, a 1,000-item map of two chained tasks, and 200- and
 * 500-task chains: issue 18's target is runLocal <= 1.3x bare.
 * Run: `npx tsx bench/local.ts` (add `--workers` for a third side, task functions in the worker
 * pool; `--against DIR`: another checkout's runLocal as one more side, for A/B; `--rounds N` to change
 * the number of rounds; `--case KEY` for some cases only: map, mapchain, chain200, chain500;
 * `--shared`: every side in this one process, as this bench ran before session 12; `--no-pin`).
 *
 * Built to resolve 1.3x on a shared machine: the sides run interleaved, one sample of each per
 * round in rotating order (bare, local; local, bare; ...), so drift and other processes' load hit
 * both; a sample of a small case runs the flow several times back to back (at least ~40 ms of
 * bare work); `--gc` runs a full GC before every sample (off by default: see `GC`). Each
 * round gives a ratio (runLocal's sample over bare's of the same round), in wall time and in the
 * side's CPU time (its process, all threads); the table shows the median ratio and its quartiles.
 *
 * Each side runs in its own process (a child of this one that runs a sample when asked), as a
 * user's process runs runLocal alone: in one process, the engine's code is optimised for the
 * objects of both sides, and runLocal's runs of it were slower than in a process of its own. With
 * task states that answered at once without the task handler (a build made to measure this: the
 * run without stepflow's per-task work), runLocal measured 1.00x bare in processes of their own and 1.10x in one shared
 * process (500-task chain, session 12): the shared process charged runLocal for code it does not
 * run. `--shared` measures the old way, to compare. The processes are pinned to one CPU (see `PIN`;
 * `--no-pin` not to), so both sides run on the same core, as they did in one process.
 *
 * The bare side runs the definition runLocal runs (`prepare`), so both take the same path: a list
 * longer than its inline Map's item budget (the map of 2 tasks: 832 items) goes, as on AWS, to the
 * Distributed Map, which the bare side runs as the same stand-in inline Map over the list, without
 * stepflow's store, history or limits.
 */
import "../sdk/local/private/with-resolvers.ts";
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runLocal } from "../sdk/local/index.ts";
import { bare } from "./local-bare.ts";
import { chain500Flow, chainFlow, mapChainFlow, mapFlow } from "./local-flows.ts";
import { printTable } from "./print-table.ts";

const args = process.argv.slice(2);
const WORKERS = args.includes("--workers");
const SHARED = args.includes("--shared");
const roundsArg = args.indexOf("--rounds");
/** Rounds per case (each: one sample of every side); by default enough for about `CASE_MS` of samples, at least 31. */
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1]) : undefined;
const CASE_MS = 12_000;
/** `--case chain500`: only the cases whose key contains this. */
const caseArg = args.indexOf("--case");
const ONLY = caseArg >= 0 ? args[caseArg + 1] : "";
const againstArg = args.indexOf("--against");
const AGAINST = againstArg >= 0 ? args[againstArg + 1] : undefined;
/** `--side KEY NAME DIR`: this process is a child that runs side NAME of case KEY, its history in DIR (see `childSide`). */
const sideArg = args.indexOf("--side");
// Off by default: a forced full GC made the next sample slower, not steadier (bare 500-task chain 50 ms
// of CPU instead of 23 at load 16, even 30 ms after it): it drops compiled code that is then rebuilt.
const GC = args.includes("--gc");
const GC_SETTLE_MS = 30;
/**
 * Warm-up runs of each side before its samples: at least this many and this long. A side in a fresh
 * process of its own needs more than the 3 runs that were enough when the sides warmed the engine's
 * code for each other (3 left a 500-task chain's samples 1.3x slower than after 10).
 */
const WARMUP = { runs: 10, ms: 300 };
/** A sample of a small case repeats the flow until the bare side's work is about this long. */
const SAMPLE_MS = 40;

// A full collection on demand without a command-line flag (so `npx tsx bench/local.ts` works as is).
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

type Sample = { readonly ms: number; readonly cpuMs: number };
/**
 * The CPU every side's process is pinned to (Linux `taskset`; the last one this process may use),
 * unless `--no-pin` or without `taskset`. Unpinned, the two processes ran on different cores of
 * this shared 2-core machine, and one of them was often slower than the other for seconds at a
 * time: the per-round ratios of a 500-task chain went from 2.0 to 0.8 and back within one run
 * (quartiles 0.79-1.66). Pinned, three runs gave 1.23x, 1.24x and 1.23x (quartiles within 1.16-1.33).
 */
const PIN = args.includes("--no-pin") || SHARED ? undefined : lastAllowedCpu();

function lastAllowedCpu(): string | undefined {
  // Untranslated: "pid 123's current affinity list: 0,2-3".
  const env = { ...process.env, LC_ALL: "C" };
  const probe = spawnSync("taskset", ["-cp", String(process.pid)], { encoding: "utf8", env });
  const cpu = probe.status === 0 ? /list:\s*(\S+)/.exec(probe.stdout)?.[1]?.split(/[,-]/).at(-1) : undefined;
  // Pinning may be refused (a container's policy): then the sides run unpinned.
  return cpu !== undefined && spawnSync("taskset", ["-c", cpu, "true"], { env }).status === 0 ? cpu : undefined;
}

/** One side of a case: takes a sample of `reps` runs, in this process or in its own. */
type Side = { readonly name: string; readonly sample: (reps: number) => Promise<Sample>; readonly close: () => void };

/** One sample: `reps` runs of `fn` (after a full GC with `--gc`), wall and process CPU time per run. */
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

/** `rounds` samples of every side, in rotating order. */
async function interleaved(sides: readonly Side[], reps: number, rounds: number): Promise<Sample[][]> {
  const samples: Sample[][] = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (r + k) % sides.length;
      samples[i].push(await sides[i].sample(reps));
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

const CASES = [
  { key: "map", name: "map of 1,000 items", flow: mapFlow, flowName: "mapFlow" as const, params: { n: 1000 } },
  { key: "mapchain", name: "map of 1,000 items, 2 tasks each", flow: mapChainFlow, flowName: "mapChainFlow" as const, params: { n: 1000 } },
  { key: "chain200", name: "200 sequential tasks", flow: chainFlow, flowName: "chainFlow" as const, params: {} },
  { key: "chain500", name: "500 sequential tasks", flow: chain500Flow, flowName: "chain500Flow" as const, params: {} },
];
type Case = (typeof CASES)[number];

/** The sides of case `c`, by name: bare, runLocal, and the optional ones. */
function sideNames(): string[] {
  const names = ["bare", "runLocal"];
  if (WORKERS) names.push("runLocal, workers");
  if (AGAINST) names.push(`runLocal of ${AGAINST}`);
  return names;
}

/** Side `name` of case `c` as a function that runs the flow once, in this process; history in `dir`. */
async function runnerOf(c: Case, name: string, dir: string): Promise<() => Promise<void>> {
  if (name === "bare") return bare(c.flow, c.params, 1000);
  let run = runLocal;
  let f = c.flow;
  if (name.startsWith("runLocal of ")) {
    // `--against DIR`: runLocal of another checkout (its bench/local-flows.ts too), for A/B.
    run = ((await import(resolve(AGAINST!, "sdk/local/index.ts"))) as typeof import("../sdk/local/index.ts")).runLocal;
    f = ((await import(resolve(AGAINST!, "bench/local-flows.ts"))) as typeof import("./local-flows.ts"))[c.flowName];
  }
  const isolation = name === "runLocal, workers" ? ("worker" as const) : undefined;
  return async () => {
    const r = await run(f, c.params as never, { dir, isolation });
    if (r.status !== "SUCCEEDED") throw new Error(`${c.name}: ${r.status} ${JSON.stringify(r.error)}`);
  };
}

async function warmUp(run: () => Promise<void>): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < WARMUP.runs || performance.now() - start < WARMUP.ms; i++) await run();
}

/** Side `name` of case `c` in this process, warmed up. */
async function sharedSide(c: Case, name: string, dir: string): Promise<Side> {
  const run = await runnerOf(c, name, dir);
  await warmUp(run);
  return { name, sample: (reps) => sample(run, reps), close: () => {} };
}

/** Side `name` of case `c` in a child process of its own (this script with `--side`), warmed up. */
async function ownProcessSide(c: Case, name: string, dir: string): Promise<Side> {
  // The child inherits this process's loader (tsx) through its exec arguments.
  const command = [process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...args, "--side", c.key, name, dir];
  const pinned = PIN === undefined ? command : ["taskset", "-c", PIN, ...command];
  const child = spawn(pinned[0], pinned.slice(1), { stdio: ["inherit", "inherit", "inherit", "ipc"] });
  const replies: ((m: Sample | "ready" | { error: string }) => void)[] = [];
  child.on("message", (m: Sample | "ready" | { error: string }) => replies.shift()?.(m));
  // A child that dies (a failed import or run) fails what waits for it, instead of leaving it waiting.
  let exited = false;
  child.on("exit", (code, signal) => {
    exited = true;
    for (const reply of replies.splice(0)) reply({ error: `side \`${name}\` exited (${signal ?? `code ${code}`}) before it answered` });
  });
  const next = () =>
    new Promise<Sample | "ready">((done, fail) => {
      if (exited) return fail(new Error(`side \`${name}\` has exited`));
      replies.push((m) => (typeof m === "object" && "error" in m ? fail(new Error(m.error)) : done(m)));
    });
  await next();
  return {
    name,
    sample: (reps) => {
      const reply = next();
      child.send(reps);
      return reply as Promise<Sample>;
    },
    close: () => child.kill(),
  };
}

/** In a child: runs its side's samples as the parent asks for them, after the warm-ups. */
async function childSide(key: string, name: string, dir: string): Promise<void> {
  const c = CASES.find((x) => x.key === key)!;
  const run = await runnerOf(c, name, dir);
  await warmUp(run);
  process.on("message", (reps: number) => {
    sample(run, reps).then(
      (s) => process.send!(s),
      (error: unknown) => process.send!({ error: String(error) }),
    );
  });
  process.send!("ready");
}

if (sideArg >= 0) {
  await childSide(args[sideArg + 1], args[sideArg + 2], args[sideArg + 3]);
} else {
  const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-"));
  // Removed on every way out, a failed side included.
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const rows: string[][] = [["case", "side", "runs x rounds", "wall", "CPU", "wall ratio (q1-q3)", "CPU ratio (q1-q3)"]];
  const load = loadavg()[0];
  for (const c of CASES.filter((x) => x.key.includes(ONLY))) {
    const sides: Side[] = [];
    // Each side its own history folder: two processes appending to one index would interleave their lines.
    for (const name of sideNames()) sides.push(await (SHARED ? sharedSide : ownProcessSide)(c, name, join(dir, String(sides.length))));
    // Repetitions per sample from the fastest of 5 timed bare runs, after warm-ups (a single timed run
    // right after the first, its code not optimised yet, gave one run per sample and wide quartiles).
    const timed: number[] = [];
    for (let i = 0; i < 5; i++) timed.push((await sides[0].sample(1)).ms);
    const fastest = Math.min(...timed);
    const reps = Math.max(1, Math.round(SAMPLE_MS / fastest));
    // The per-round ratios of small cases scatter more: more rounds for them, in about the same time.
    const rounds = ROUNDS ?? Math.max(31, Math.round(CASE_MS / (sides.length * reps * fastest * 1.3)));
    const samples = await interleaved(sides, reps, rounds);
    for (const side of sides) side.close();
    const [b] = samples;
    const med = (xs: readonly number[]) => `${quantile(xs, 0.5).toFixed(1)} ms`;
    sides.forEach((side, i) => {
      const wall = samples[i].map((x) => x.ms);
      const cpu = samples[i].map((x) => x.cpuMs);
      const vsBare = i === 0 ? ["", ""] : [ratios(wall, b.map((x) => x.ms)), ratios(cpu, b.map((x) => x.cpuMs))];
      rows.push([i === 0 ? c.name : "", side.name, i === 0 ? `${reps} x ${rounds}` : "", med(wall), med(cpu), ...vsBare]);
    });
    if (AGAINST) {
      // This checkout's runLocal over the other's, round by round: the A/B figure.
      const [l, a] = [samples[1], samples[samples.length - 1]];
      const ab = [ratios(l.map((x) => x.ms), a.map((x) => x.ms)), ratios(l.map((x) => x.cpuMs), a.map((x) => x.cpuMs))];
      rows.push(["", "runLocal / the other runLocal", "", "", "", ...ab]);
    }
  }
  const loads = `load average ${load.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
  const how = SHARED ? "every side in this process" : `each side in its own process${PIN === undefined ? "" : `, all on CPU ${PIN}`}`;
  printTable(`local runner: runLocal / bare aws-local-stepfunctions, per run, interleaved, ${how}, median of the rounds (ratio quartiles), ${loads}`, rows);
  // The worker pool's threads would keep the process alive (the `exit` listener removes `dir`).
  process.exit(0);
}
