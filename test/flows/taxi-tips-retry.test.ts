import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "stepflow";
import { RetryError, retryLocal, runLocal } from "stepflow/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Chunk, cleanChunk, cleanTrip, FlakyError, taxiTips, type Trip } from "../../flows/taxi-tips.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stepflow-taxi-retry-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `clean-chunk` without random failures, counting its calls per hour; `brokenHour` fails every attempt. */
function cleaner(calls: string[], brokenHour?: string) {
  return (chunk: Chunk) => {
    calls.push(chunk.hour);
    if (chunk.hour === brokenHour) throw new FlakyError(`the source of hour ${chunk.hour} is down`);
    const trips = chunk.rows.map(cleanTrip).filter((t): t is Trip => t !== undefined);
    return { hour: chunk.hour, trips, dropped: chunk.rows.length - trips.length };
  };
}

const key = (t: { state: string; mapIndex?: number }) => `${t.state}#${t.mapIndex ?? ""}`;

describe("stepflow retry of taxi-tips", () => {
  it("runs again only the failed hour and what follows it, reusing every task that succeeded", async () => {
    const definitionBefore = compile(taxiTips).definition;
    const failedCalls: string[] = [];
    const failed = await runLocal(taxiTips, { failureRate: 0 }, {
      dir,
      fastRetries: true,
      taskOverrides: { "clean-chunk": cleaner(failedCalls, "2024-01-15 17") },
    });
    expect(failed.status).toBe("FAILED");
    expect(failed.error).toMatchObject({ name: "FlakyError", task: "clean-chunk" });
    // retries: 5, so hour 17 was tried 6 times, and failed for good.
    expect(failedCalls.filter((h) => h === "2024-01-15 17")).toHaveLength(cleanChunk.options.retries + 1);
    const succeeded = new Set(failed.tasks.filter((t) => t.status === "SUCCEEDED").map(key));
    expect(succeeded.has("split-by-hour#")).toBe(true);

    // Fixed: the same cleaner without the broken hour.
    const retryCalls: string[] = [];
    const bestCalls: number[] = [];
    const retried = await retryLocal(taxiTips, failed.runId, {
      dir,
      fastRetries: true,
      taskOverrides: {
        "clean-chunk": cleaner(retryCalls),
        "best-tip": (clean: { hour: string; trips: Trip[]; dropped: number }) => {
          bestCalls.push(Number(clean.hour.slice(11)));
          return bestTipFn(clean);
        },
      },
    });
    expect(retried.status).toBe("SUCCEEDED");
    expect(retried.retryOf).toBe(failed.runId);
    expect(retried.runId).not.toBe(failed.runId);

    // Exactly the calls that had not succeeded ran: hour 17's clean and best, plus any item the
    // failed run never started (a failed Map starts no more items); nothing that succeeded ran again.
    const ran = retried.tasks.map(key);
    expect(ran).toContain(`clean-chunk#17`);
    expect(ran).toContain(`best-tip#17`);
    for (const k of ran) expect(succeeded.has(k)).toBe(false);
    expect(new Set([...ran, ...(retried.reused ?? []).map(key)])).toStrictEqual(
      new Set(Array.from({ length: 24 }, (_, i) => [`clean-chunk#${i}`, `best-tip#${i}`]).flat().concat("split-by-hour#")),
    );
    expect((retried.reused ?? []).map(key).sort()).toStrictEqual([...succeeded].sort());
    expect(retryCalls).toContain("2024-01-15 17");
    expect(retryCalls.length).toBe(ran.filter((k) => k.startsWith("clean-chunk#")).length);
    expect(bestCalls.length).toBe(ran.filter((k) => k.startsWith("best-tip#")).length);
    expect(retried.tasks.some((t) => t.task === "split-by-hour")).toBe(false);

    // The same answer as a run that never failed, and the same state machine.
    const clean = await runLocal(taxiTips, { failureRate: 0 }, { dir, fastRetries: true });
    expect(retried.result).toStrictEqual(clean.result);
    expect(compile(taxiTips).definition).toStrictEqual(definitionBefore);
  });

  it("refuses to retry a run that succeeded, naming why", async () => {
    const ok = await runLocal(taxiTips, { failureRate: 0 }, { dir, fastRetries: true });
    await expect(retryLocal(taxiTips, ok.runId, { dir })).rejects.toThrow(RetryError);
    await expect(retryLocal(taxiTips, ok.runId, { dir })).rejects.toThrow(/cannot be retried: .*only a run that failed/);
  });
});

const bestTipFn = (await import("../../flows/taxi-tips.ts")).bestTip.fn;
