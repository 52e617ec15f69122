/**
 * Bundling of one module that defines every task (bench/big-flow.ts): the bundle worker's wall
 * time for N task bundles with each task's copy of the module cut to that task (what FlowStack
 * does) and with whole copies (before), side by side, and that both give the same bytes.
 * The requests and the worker run are infra's own (`taskExportRequest`, `bundleAll`).
 * Run: `npx tsx bench/bundle-scale.ts [sizes...]` (default 100 400 1000; `WHOLE_MAX=n` skips whole
 * copies above n tasks, default 400: at 1,000 they take ten minutes). Scratch files under bench/out/.
 */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleAll } from "../infra/private/bundle.ts";
import { taskExportRequest } from "../infra/private/task-bundle.ts";
import { generateFlow } from "./big-flow.ts";
import { printTable } from "./print-table.ts";

const out = resolve("bench/out/bundle-scale");
const WHOLE_MAX = Number(process.env.WHOLE_MAX ?? 400);

/** Wall time and total bytes of one worker run over `n` task bundles, from an empty bundle directory. */
function buildAll(file: string, n: number, cut: boolean): { ms: number; bytes: number } {
  const outRoot = join(out, `bundles-${n}-${cut ? "cut" : "whole"}`);
  rmSync(outRoot, { recursive: true, force: true });
  const requests = Array.from({ length: n }, (_, i) => {
    const { slice, ...whole } = taskExportRequest(file, `t${i}`, { outRoot, bundleAwsSdk: true });
    return cut ? { ...whole, slice } : whole;
  });
  const t0 = performance.now();
  const bundles = bundleAll(requests);
  const ms = performance.now() - t0;
  return { ms, bytes: bundles.reduce((s, b) => s + b.bytes, 0) };
}

const sizes = process.argv.slice(2).map(Number);
const rows = [["tasks", "cut per task", "per task", "whole copies", "per task", "bytes (all bundles) equal"]];
for (const n of sizes.length ? sizes : [100, 400, 1000]) {
  const file = generateFlow(out, n);
  const cut = buildAll(file, n, true);
  const whole = n <= WHOLE_MAX ? buildAll(file, n, false) : undefined;
  rows.push([
    `${n}`,
    `${(cut.ms / 1000).toFixed(1)} s`,
    `${(cut.ms / n).toFixed(1)} ms`,
    whole ? `${(whole.ms / 1000).toFixed(1)} s` : "(skipped)",
    whole ? `${(whole.ms / n).toFixed(1)} ms` : "",
    whole ? `${whole.bytes === cut.bytes ? "yes" : "NO"} (${cut.bytes.toLocaleString("en-US")} B)` : `${cut.bytes.toLocaleString("en-US")} B`,
  ]);
  console.log(rows.at(-1)!.join(" | "));
}
printTable("bundle worker: N task bundles of one N-task module (wall time, one esbuild build)", rows);
