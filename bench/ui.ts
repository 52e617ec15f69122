/**
 * `stepflow ui`: how long the run view of a 1,000-item map run takes to load in headless Chromium
 * (navigation until its graph and timeline are drawn), with the page's script already built.
 * Target: ≤ 1 s. Run: `npx tsx bench/ui.ts` (median of 5 after a warm-up; needs /usr/bin/chromium).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { z } from "zod";
import { flow, task, taskContext } from "../sdk/index.ts";
import { runLocal } from "../sdk/local/index.ts";
import { localRunSource, serveUi } from "../sdk/ui/index.ts";
import { median } from "./median.ts";
import { printTable } from "./print-table.ts";

const ITEMS = 1000;
const REPEAT = 5;

const items = task("items", (n: number) => Array.from({ length: n }, (_, i) => i));
/** Every 97th item fails its first attempt, so the timeline has retries to draw. */
const work = task("work", { retries: 1 }, (i: number) => {
  if (i % 97 === 0 && taskContext().attempt === 0) throw new Error(`item ${i} failed once`);
  return i * 2;
});
const wideMap = flow("wide-map", { params: z.object({ n: z.number() }) }, ({ n }) => work.map(items(n)));

const dir = await mkdtemp(join(tmpdir(), "stepflow-bench-ui-"));
const browser = await chromium.launch({ executablePath: process.env.STEPFLOW_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const run = await runLocal(wideMap, { n: ITEMS }, { dir, fastRetries: true });
  if (run.status !== "SUCCEEDED") throw new Error(`the bench run ended ${run.status}: ${run.error?.message}`);
  const ui = await serveUi(localRunSource({ dir }), { port: 0 });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const load = async () => {
    const t = performance.now();
    await page.goto(`${ui.url}#/runs/${run.runId}`, { waitUntil: "commit" });
    await page.waitForSelector(".graph svg .node[data-node='work']");
    await page.waitForSelector(".tl-map .fold");
    return performance.now() - t;
  };
  await load();
  const api: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    await (await fetch(`${ui.url}api/runs/${run.runId}`)).json();
    api.push(performance.now() - t);
  }
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    await page.goto("about:blank");
    times.push(await load());
  }
  const unfold = async () => {
    const t = performance.now();
    await page.click(".tl-map .fold");
    await page.click(".show-all").catch(() => undefined);
    await page.waitForSelector(`.item-row[data-item="${ITEMS - 1}"]`, { state: "attached" });
    return performance.now() - t;
  };
  const all = await unfold();
  printTable(`stepflow ui (median of ${REPEAT} after a warm-up; load average ${loadavg()[0].toFixed(1)})`, [
      ["what", "attempts", "median ms", "target"],
      [`run view of a ${ITEMS}-item map run, load until graph + timeline drawn`, String(run.tasks.length), median(times).toFixed(0), "≤ 1000"],
      [`  of which the run's JSON (GET /api/runs/<id>)`, String(run.tasks.length), median(api).toFixed(0), ""],
      [`unfold all ${ITEMS} items on the timeline`, String(run.tasks.length), all.toFixed(0), ""],
  ]);
  await ui.close();
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
