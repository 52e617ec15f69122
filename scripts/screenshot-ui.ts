/**
 * Regenerates the README's screenshot of the `stepflow ui` run view (`docs/ui-run-view.png`): a
 * taxi-tips run whose flaky chunks fail for good on a few hours, in headless Chromium.
 * Run: `npm run screenshot` (needs /usr/bin/chromium, as the UI tests do).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { seededRandom, taxiTips, useRandom } from "../flows/taxi-tips.ts";
import { runLocal } from "../sdk/local/index.ts";
import { localRunSource, serveUi } from "../sdk/ui/index.ts";

const OUT = fileURLToPath(new URL("../docs/ui-run-view.png", import.meta.url));
const dir = await mkdtemp(join(tmpdir(), "stepflow-screenshot-"));
const browser = await chromium.launch({ executablePath: process.env.STEPFLOW_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  useRandom(seededRandom(11));
  const run = await runLocal(taxiTips, { failureRate: 0.62 }, { dir, fastRetries: true });
  const ui = await serveUi(localRunSource({ dir }), { port: 0 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await page.goto(`${ui.url}#/runs/${run.runId}`);
  await page.waitForSelector(".tl-map .fold");
  await page.click(".tl-map .fold");
  if (run.error) await page.click(".failing-task");
  await page.waitForSelector(".attempt-panel h3").catch(() => undefined);
  await page.screenshot({ path: OUT, fullPage: true });
  await ui.close();
  console.log(`wrote ${OUT} (run ${run.runId}, ${run.status}, ${run.tasks.length} attempts)`);
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
