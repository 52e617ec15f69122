/**
 * `stepflow ui` end to end: the page in a real headless Chromium over runs made by `runLocal`,
 * with a screenshot of each view checked to be drawn (not blank).
 */
import { join } from "node:path";
import { runLocal } from "stepflow/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom, taxiTips, useRandom } from "../../flows/taxi-tips.ts";
import { newRunId } from "../../sdk/core/run-id.ts";
import { localRunSource, serveUi, type UiServer } from "../../sdk/ui/index.ts";
import { tempDir } from "../support/temp-dir.ts";
import { distinctColours, newPage } from "./support/browser.ts";
import { billing, gated, holdGate } from "./fixtures/ui-flows.ts";

const SECRET = "sk_live_9f8e7d6c5b4a";
let dir: string;
let shots: string;
let ui: UiServer;

beforeAll(async () => {
  dir = tempDir("stepflow-ui-e2e-");
  shots = tempDir("stepflow-ui-shots-");
  ui = await serveUi(localRunSource({ dir }), { port: 0, pollMs: 100 });
});
afterAll(() => ui?.close());

/** Saves a full-page screenshot under the test's temp folder and checks it is drawn. */
async function screenshot(page: Awaited<ReturnType<typeof newPage>>, name: string): Promise<void> {
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  expect(distinctColours(file), `${file} looks blank`).toBeGreaterThan(30);
}

describe("stepflow ui in Chromium", () => {
  it("shows a taxi-tips run's retries on the timeline and its failed items", async () => {
    const restore = useRandom(seededRandom(3));
    const run = await runLocal(taxiTips, { failureRate: 0.85 }, { dir, fastRetries: true }).finally(restore);
    expect(run.status).toBe("FAILED");
    const chunks = run.tasks.filter((t) => t.state === "clean-chunk");
    const last = new Map<number, (typeof chunks)[number]>();
    for (const t of chunks) if ((last.get(t.mapIndex!)?.attempt ?? -1) < t.attempt) last.set(t.mapIndex!, t);
    const failedItems = [...last.values()].filter((t) => t.status === "FAILED").map((t) => t.mapIndex!).sort((a, b) => a - b);
    expect(failedItems.length).toBeGreaterThan(0);

    const page = await newPage();
    await page.goto(`${ui.url}#/runs/${run.runId}`);
    await page.waitForSelector(".timeline");
    expect(await page.getAttribute(".run-page", "data-status")).toBe("FAILED");
    expect(await page.getAttribute('.node[data-node="clean-chunk"]', "data-status")).toBe("FAILED");
    expect(await page.getAttribute('.box[data-node="map clean-chunk"]', "data-status")).toBe("FAILED");
    expect(await page.textContent('.box-label[data-box="map clean-chunk"]')).toContain(`${failedItems.length} failed`);

    // Folded, the map row counts its items; unfolded, it lists every failed item.
    const mapRow = page.locator('.tl-map[data-map="map clean-chunk"]');
    expect(await mapRow.locator(".fold").textContent()).toContain(`${failedItems.length} failed`);
    expect(await mapRow.locator(".item-row").count()).toBe(0);
    await mapRow.locator(".fold").click();
    const shownFailed = await mapRow.locator(".item-row.status-failed").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-item"))));
    expect(shownFailed).toEqual(failedItems);
    await screenshot(page, "run-view");

    // Every item unfolded (failed and retried ones are shown already): one bar per attempt, retries marked.
    const showAll = mapRow.locator(".show-all");
    if ((await showAll.count()) > 0) await showAll.click();
    const bars = await page.locator(".tl-map .bar[data-attempt]").evaluateAll((b) => b.map((x) => [x.getAttribute("data-state"), Number(x.getAttribute("data-attempt")), x.getAttribute("data-status")]));
    const mapped = run.tasks.filter((t) => t.mapIndex !== undefined);
    expect(bars.length).toBe(mapped.length);
    expect(bars.filter(([, attempt]) => (attempt as number) > 0).length).toBe(mapped.filter((t) => t.attempt > 0).length);
    expect(await page.locator(".tl-map .bar.retry").count()).toBe(mapped.filter((t) => t.attempt > 0).length);
    expect(bars.filter(([, , s]) => s === "FAILED").length).toBe(mapped.filter((t) => t.status === "FAILED").length);

    // An attempt's error shows when picked; a succeeded one's stored result is fetched on demand.
    const failedBar = page.locator(`.bar[data-state="clean-chunk"][data-index="${failedItems[0]}"][data-status="FAILED"]`).last();
    await failedBar.click();
    await expect.poll(() => page.textContent(".attempt-panel .attempt-error")).toContain("FlakyError");
    const done = run.tasks.find((t) => t.state === "best-tip" && t.status === "SUCCEEDED")!;
    await page.locator(`.bar[data-state="best-tip"][data-index="${done.mapIndex}"]`).click();
    await expect.poll(() => page.textContent(".attempt-panel pre.result").catch(() => "")).toContain('"tipPercent"');

    await page.goto(ui.url);
    await page.waitForSelector(`tr[data-run-id="${run.runId}"]`);
    expect(await page.textContent(`tr[data-run-id="${run.runId}"]`)).toContain("FlakyError");
    await screenshot(page, "run-list");
  });

  it("shows a run started while the page is open, and its end, without a reload", async () => {
    const list = await newPage();
    await list.goto(ui.url);
    await list.waitForSelector(".runs, .empty");
    await list.evaluate(() => Object.assign(globalThis, { stillThisPage: true }));
    const open = holdGate();
    const runId = newRunId("gated");
    const running = runLocal(gated, { n: 3 }, { dir, runId });

    const row = list.locator(`tr[data-run-id="${runId}"]`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute("class")).toContain("status-running");
    const view = await newPage();
    await view.goto(`${ui.url}#/runs/${runId}`);
    await expect.poll(() => view.getAttribute('.node[data-node="wait-for-test"]', "data-status")).toBe("RUNNING");
    expect(await view.getAttribute('.node[data-node="prepare"]', "data-status")).toBe("SUCCEEDED");
    await screenshot(view, "live-run-running");

    open();
    expect((await running).status).toBe("SUCCEEDED");
    await expect.poll(() => view.getAttribute(".run-page", "data-status")).toBe("SUCCEEDED");
    expect(await view.getAttribute('.node[data-node="wait-for-test"]', "data-status")).toBe("SUCCEEDED");
    await expect.poll(() => row.getAttribute("class")).toContain("status-succeeded");
    expect(await list.evaluate(() => (globalThis as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true);
  });

  it("shows a failed run's failing task and its error, and never a secret", async () => {
    const run = await runLocal(billing, {}, { dir, secrets: { "processor-key": SECRET } });
    expect(run.status).toBe("FAILED");
    const page = await newPage();
    const bodies: string[] = [];
    page.on("response", async (r) => bodies.push(await r.text().catch(() => "")));
    await page.goto(`${ui.url}#/runs/${run.runId}`);
    await page.waitForSelector(".run-error");
    const error = await page.textContent(".run-error");
    expect(error).toContain("NonRetriableError");
    expect(error).toContain("card processor refused order 1");
    expect(await page.textContent(".failing-task")).toContain("charge-cards");
    expect(await page.getAttribute('.node[data-node="charge-cards"]', "data-status")).toBe("FAILED");
    expect(await page.getAttribute('.node[data-node="load-orders"]', "data-status")).toBe("SUCCEEDED");
    await page.click(".failing-task");
    await expect.poll(() => page.textContent(".attempt-panel .attempt-error")).toContain("card processor refused");
    // The line the task logged, kept with the attempt and fetched with it, its secret masked.
    await expect.poll(() => page.textContent(".attempt-panel pre.logs").catch(() => "")).toContain("INFO charging 1 order(s) with key ***");
    await screenshot(page, "failed-run");
    expect(bodies.length).toBeGreaterThan(2);
    for (const body of [...bodies, await page.content()]) expect(body).not.toContain(SECRET);

    // "Retry from failure" runs `stepflow retry <runId>`: a new run, shown once it starts; the
    // charge fails again (the fix is not in), but `load-orders` is reused, not run again.
    await page.click(".retry-button");
    const hash = () => page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash);
    const moved = async () => ((await hash()).includes(run.runId) ? await page.locator(".retry-error").textContent().catch(() => "") : await hash());
    await expect.poll(moved, { timeout: 120_000 }).toMatch(/^#\/runs\/billing-/);
    const retried = decodeURIComponent((await hash()).slice("#/runs/".length));
    await expect.poll(() => page.getAttribute(".run-page", "data-status"), { timeout: 60_000 }).toBe("FAILED");
    expect(await page.getAttribute('.node[data-node="charge-cards"]', "data-status")).toBe("FAILED");
    expect(await page.getAttribute('.node[data-node="load-orders"]', "data-status")).toBe("NOT_RUN");
    expect(retried).not.toBe(run.runId);
  }, 180_000);
});
