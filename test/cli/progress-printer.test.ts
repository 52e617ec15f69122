/** The progress printer fed events directly: what a person reads while a run goes. */
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../sdk/local/index.ts";
import { liveOutput, progressPrinter } from "../../sdk/cli/private/progress-printer.ts";

function print(events: RunEvent[], options: Parameters<typeof progressPrinter>[1] = {}): string {
  let text = "";
  const onEvent = progressPrinter({ write: (s: string) => (text += s) }, { summary: false, ...options });
  events.forEach(onEvent);
  return text;
}

const base = { flow: "f", runId: "f-1", state: "get-data", task: "get-data" } as const;
const failedThenRetrying = (attempt: number, delayMs: number): RunEvent[] => [
  { ...base, type: "task-started", attempt },
  { ...base, type: "task-failed", attempt, durationMs: 5, error: { name: "Error", message: "503" } },
  { ...base, type: "task-retrying", attempt, delayMs },
];

describe("progressPrinter", () => {
  it("says once how to skip a retry delay longer than a few seconds", () => {
    const text = print([...failedThenRetrying(0, 60_000), ...failedThenRetrying(1, 60_000)]);
    expect(text).toContain("↻ retrying get-data in 1 min 0 s  (add `--fast-retries` to skip retry delays in local runs)\n");
    expect(text.match(/--fast-retries/g)).toHaveLength(1);
    expect(print(failedThenRetrying(0, 2000))).not.toContain("--fast-retries");
    expect(print(failedThenRetrying(0, 60_000), { fastRetries: true })).not.toContain("--fast-retries");
  });

  it("prints lines in the order events happen, a task's start before its end", () => {
    const text = print([
      { ...base, type: "task-started", attempt: 0 },
      { ...base, state: "other", task: "other", type: "task-started", attempt: 0 },
      { ...base, type: "task-succeeded", attempt: 0, durationMs: 3, cached: true },
    ]);
    expect(text).toBe("  ▸ get-data\n  ▸ other\n  ✓ get-data                     3 ms (cached)\n");
  });

  it("redraws only on a terminal without NO_COLOR or TERM=dumb", () => {
    const tty = { write: () => true, isTTY: true };
    expect(liveOutput(tty, {})).toBe(true);
    expect(liveOutput(tty, { NO_COLOR: "1" })).toBe(false);
    expect(liveOutput(tty, { TERM: "dumb" })).toBe(false);
    expect(liveOutput({ write: () => true }, {})).toBe(false);
  });
});
