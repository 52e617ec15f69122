import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLocal } from "stepflow/local";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seededRandom, taxiTips, useRandom } from "../../flows/taxi-tips.ts";

let dir: string;
let restore: (() => void) | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stepflow-taxi-"));
});
afterEach(() => restore?.());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sample's trips per pickup hour, with the best tip ratio among clean ones (computed here, not by the flow). */
function expectedHours() {
  const [, ...lines] = readFileSync(new URL("../../flows/data/taxi-trips.csv", import.meta.url), "utf8")
    .trim()
    .split("\n");
  const hours = new Map<string, { rows: number; clean: number; bestRatio: number; bestPickup: string }>();
  for (const line of lines) {
    const [, pickup, dropoff, pax, dist, , fare, tip, total] = line.split(",");
    const hour = pickup.slice(0, 13);
    const h = hours.get(hour) ?? { rows: 0, clean: 0, bestRatio: -1, bestPickup: "" };
    h.rows++;
    const clean =
      pax !== "" && +pax >= 1 && +dist > 0 && +fare > 0 && +tip >= 0 && +total > 0 && dropoff > pickup;
    if (clean) {
      h.clean++;
      if (+tip / +fare > h.bestRatio) Object.assign(h, { bestRatio: +tip / +fare, bestPickup: pickup });
    }
    hours.set(hour, h);
  }
  return [...hours.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * How many attempts fail with this seed: each attempt draws once, and a draw at or over the rate
 * completes one chunk, so whatever order the chunks draw in, the run stops after `chunks` such draws.
 */
function expectedFailures(seed: number, rate: number, chunks: number): number {
  const draw = seededRandom(seed);
  let failures = 0;
  for (let done = 0; done < chunks; ) {
    if (draw() < rate) failures++;
    else done++;
  }
  return failures;
}

describe("taxi-tips", () => {
  it("finds each hour's best-tipping clean trip, retrying chunks that fail at random", async () => {
    restore = useRandom(seededRandom(7));
    const run = await runLocal(taxiTips, {}, { dir, fastRetries: true });

    expect(run.status).toBe("SUCCEEDED");
    const hours = expectedHours();
    expect(hours.length).toBeGreaterThanOrEqual(5);
    expect(run.result?.map((h) => h.hour)).toStrictEqual(hours.map(([hour]) => hour));
    for (const [i, [, h]] of hours.entries()) {
      const got = run.result![i];
      expect(got.trips).toBe(h.clean);
      expect(got.dropped).toBe(h.rows - h.clean);
      expect(got.best?.pickup).toBe(h.bestPickup);
      expect(got.tipPercent).toBeCloseTo(h.bestRatio * 100, 1);
    }
    expect(run.result!.reduce((n, h) => n + h.dropped, 0)).toBeGreaterThan(0);

    const cleans = run.tasks.filter((t) => t.task === "clean-chunk");
    const failed = cleans.filter((t) => t.status === "FAILED");
    expect(failed.length).toBe(expectedFailures(7, 0.2, hours.length));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((t) => t.error?.name === "FlakyError")).toBe(true);
    expect(cleans.filter((t) => t.status === "SUCCEEDED")).toHaveLength(hours.length);
  });

  it("fails the run after 1 + 5 retries when a chunk keeps failing", async () => {
    const run = await runLocal(taxiTips, { failureRate: 1 }, { dir, fastRetries: true });

    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "FlakyError", task: "clean-chunk" });
    const attempts = run.tasks.filter((t) => t.task === "clean-chunk" && t.mapIndex === run.error?.mapIndex);
    expect(attempts.map((t) => t.attempt)).toStrictEqual([0, 1, 2, 3, 4, 5]);
  });

  it("notifies Slack on success and on failure", () => {
    expect(taxiTips.options.notify).toStrictEqual([
      { kind: "slack", secret: "slack-webhook", on: ["SUCCEEDED", "FAILED"] },
    ]);
  });
});
