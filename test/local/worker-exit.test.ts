/**
 * A process that ran flows in task workers ends by itself: a real Node process is spawned (the
 * e2e tier, vitest.config.ts), as a user's script would run. test/local/timeouts.test.ts has the
 * timeouts themselves, in-process.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.ts";

it("lets a process that ran flows in task workers (one stopped at its timeout) exit by itself", async () => {
  const script = resolve(import.meta.dirname, "fixtures/worker-run.ts");
  // No `process.exit` in the script: if an idle or stopped worker kept the process alive, the
  // 120 s `timeout` would kill it and `error.killed` would be true.
  const ended = await new Promise<{ error: (Error & { killed?: boolean; code?: unknown }) | null; stdout: string }>(
    (done) =>
      execFile(
        process.execPath,
        ["--import", "tsx", script, tempDir("stepflow-worker-exit-"), "3000"],
        { timeout: 120_000 },
        (error, stdout) => done({ error, stdout }),
      ),
  );
  expect(ended.error?.killed ?? false).toBe(false);
  expect(ended.error).toBeNull();
  expect(JSON.parse(ended.stdout)).toEqual({ ok: "SUCCEEDED", stopped: "FAILED", error: "States.Timeout" });
}, 150_000);
