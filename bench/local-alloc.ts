/**
 * Bytes allocated per run, by side (bare aws-local-stepfunctions, runLocal), from V8's sampling heap
 * profiler counting objects the collector freed too: a figure that load on a shared machine does
 * not move, unlike CPU time, so an A/B of a change to the local runner's hot path reads here first
 * (then bench/local.ts for the time). The functions that allocate most are listed per side.
 * Run: `npx tsx bench/local-alloc.ts [chain|map|mapchain] [runs]`.
 */
import "../sdk/local/private/with-resolvers.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLocal } from "../sdk/local/index.ts";
import { bare } from "./local-bare.ts";
import { chain500Flow, mapChainFlow, mapFlow } from "./local-flows.ts";
import { printTable } from "./print-table.ts";

const [which = "chain", runsArg] = process.argv.slice(2);
const flows = { chain: [chain500Flow, {}], map: [mapFlow, { n: 1000 }], mapchain: [mapChainFlow, { n: 1000 }] } as const;
if (!(which in flows)) throw new Error(`unknown case \`${which}\`; use chain, map or mapchain`);
const [f, params] = flows[which as keyof typeof flows];
const RUNS = Number(runsArg ?? (which === "chain" ? 20 : 5));
const WARMUP = 5;
/** Bytes between samples: small enough that a run's few hundred thousand objects give a steady figure. */
const SAMPLING_BYTES = 256;
const TOP = 8;

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** Bytes allocated by `run` over `RUNS` runs, in total and by function. */
async function allocations(session: Session, run: () => Promise<void>): Promise<{ total: number; by: Map<string, number> }> {
  for (let i = 0; i < WARMUP; i++) await run();
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: SAMPLING_BYTES,
    includeObjectsCollectedByMinorGC: true,
    includeObjectsCollectedByMajorGC: true,
  } as never);
  for (let i = 0; i < RUNS; i++) await run();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: ProfileNode } };
  const by = new Map<string, number>();
  let total = 0;
  const walk = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || "(anonymous)"} ${url.split("/").slice(-2).join("/")}:${lineNumber}`;
    by.set(key, (by.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
    n.children.forEach(walk);
  };
  walk(profile.head);
  return { total, by };
}

const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-alloc-"));
const session = new Session();
session.connect();
const sides = {
  bare: bare(f as never, params, 1000),
  runLocal: async () => {
    const r = await runLocal(f as never, params as never, { dir });
    if (r.status !== "SUCCEEDED") throw new Error(`${which}: ${r.status} ${JSON.stringify(r.error)}`);
  },
};
const MB = (bytes: number) => `${(bytes / 1e6 / RUNS).toFixed(2)} MB`;
const rows: string[][] = [["side", "allocated per run", "vs bare", "most allocated by (per run)"]];
let base = 0;
for (const [name, run] of Object.entries(sides)) {
  const { total, by } = await allocations(session, run);
  base ||= total;
  const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => `${k} ${MB(v)}`);
  rows.push([name, MB(total), `${(total / base).toFixed(2)}x`, top[0] ?? ""], ...top.slice(1).map((t) => ["", "", "", t]));
}
printTable(`local runner allocations, case ${which}: ${RUNS} runs per side after ${WARMUP} warm-ups (V8 sampling heap profiler, every ${SAMPLING_BYTES} bytes, freed objects counted)`, rows);
session.disconnect();
await rm(dir, { recursive: true, force: true });
process.exit(0);
