import { readdirSync, readlinkSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppendFiles } from "../../functions/private/append-files.ts";
import { localHistoryStore } from "../../functions/stores/local-history-store.ts";
import { tempDir } from "../support/temp-dir.ts";
import { flowRun, taskRun } from "./support/history-contract.ts";

/** How many descriptors of this process are open on `file` (Linux's /proc). */
function openOn(file: string): number {
  const fds = readdirSync("/proc/self/fd");
  return fds.filter((fd) => {
    try {
      return readlinkSync(join("/proc/self/fd", fd)) === file;
    } catch {
      return false;
    }
  }).length;
}

describe("AppendFiles", () => {
  afterEach(() => void vi.useRealTimers());

  it("appends each text whole, in order, and is on disk when the call returns", async () => {
    const dir = tempDir("stepflow-append-");
    const files = new AppendFiles();
    const file = join(dir, "a.jsonl");
    files.append(file, "one\n");
    expect(await readFile(file, "utf8")).toBe("one\n");
    files.append(file, `${"x".repeat(100_000)}\n`);
    files.append(file, "three\n");
    expect((await readFile(file, "utf8")).split("\n").map((l) => l.length)).toStrictEqual([3, 100_000, 5, 0]);
    files.closeAll();
  });

  it("appends a list of parts as their text in order, multi-byte characters included", async () => {
    const dir = tempDir("stepflow-append-");
    const files = new AppendFiles();
    const file = join(dir, "a.jsonl");
    const parts = ['{"a":"é"}\n', '{"b":"日本"}\n', '{"c":"😀"}\n', `${"y".repeat(70_000)}\n`];
    files.append(file, parts);
    // Shorter than the one before: only its own bytes, though the buffer is reused.
    files.append(file, ["end\n"]);
    expect(await readFile(file, "utf8")).toBe(`${parts.join("")}end\n`);
    // Over the size of the reused buffer, then under it again.
    const big = [`${"z".repeat(2_000_000)}\n`, "ü\n"];
    files.append(file, big);
    files.append(file, ["last\n", "ß\n"]);
    expect(await readFile(file, "utf8")).toBe(`${parts.join("")}end\n${big.join("")}last\nß\n`);
    files.closeAll();
  });

  it("keeps a file open between appends, closes it on `close` and when idle, and reopens it on the next append", async () => {
    vi.useFakeTimers();
    const dir = tempDir("stepflow-append-");
    const files = new AppendFiles();
    const [a, b] = [join(dir, "a.jsonl"), join(dir, "b.jsonl")];
    files.append(a, "1\n");
    files.append(a, "2\n");
    files.append(b, "1\n");
    expect([openOn(a), openOn(b)]).toStrictEqual([1, 1]);
    files.close(a);
    expect([openOn(a), openOn(b)]).toStrictEqual([0, 1]);
    files.append(a, "3\n");
    expect(openOn(a)).toBe(1);
    // Written within the last period: kept; idle for a whole period: closed.
    vi.advanceTimersByTime(1000);
    expect([openOn(a), openOn(b)]).toStrictEqual([1, 1]);
    vi.advanceTimersByTime(1000);
    expect([openOn(a), openOn(b)]).toStrictEqual([0, 0]);
    expect(await readFile(a, "utf8")).toBe("1\n2\n3\n");
  });

  it("throws the open's error for a file whose folder is missing, and holds no descriptor for it", () => {
    const dir = tempDir("stepflow-append-");
    const files = new AppendFiles();
    const file = join(dir, "sub", "a.jsonl");
    expect(() => files.append(file, "1\n")).toThrow(/ENOENT/);
    expect(openOn(file)).toBe(0);
  });
});

describe("local history store", () => {
  it("closes a run's file when the run's terminal record is written", async () => {
    const dir = tempDir("stepflow-append-");
    const store = localHistoryStore({ dir });
    const file = join(dir, "history", "runs", "run-1.jsonl");
    await store.putFlowRun(flowRun());
    await store.putTaskRun(taskRun());
    expect(openOn(file)).toBe(1);
    await store.putFlowRun(flowRun({ status: "SUCCEEDED", rank: 1, endedAt: "2026-01-01T00:00:01.000Z" }));
    expect(openOn(file)).toBe(0);
    expect((await store.getRun("run-1")).run?.status).toBe("SUCCEEDED");
  });
});
