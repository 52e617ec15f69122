/**
 * "Retry from failure" for local runs: `stepflow retry <runId>` in a child process, as a user
 * would type it, so the flow's module loads there and not in the UI server. The page is given the
 * new run's id as soon as the new run is in the history.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { StepflowError } from "../../core/errors.ts";
import type { RunSummary } from "../types.ts";

const BIN = fileURLToPath(new URL("../../../bin/stepflow.js", import.meta.url));
/** How long the page waits for the new run to show up before it is told to look at the list. */
const APPEAR_MS = 60_000;

/**
 * Starts `stepflow retry <runId> --dir <dir>` and resolves with the new run's id once it is
 * listed, or rejects with the CLI's own message when it refuses (e.g. the run succeeded).
 */
export function startLocalRetry(
  dir: string,
  run: RunSummary,
  list: () => Promise<readonly RunSummary[]>,
): Promise<{ readonly runId?: string }> {
  const since = new Date().toISOString();
  // From source: the compiled CLI bundles only flow files named on its command line, and
  // `retry <runId>` names none (it reads the module from the run's retry record).
  const env = { ...process.env, STEPFLOW_CLI_FROM_SOURCE: "1" };
  const child = spawn(process.execPath, [BIN, "retry", run.runId, "--dir", dir], { stdio: ["ignore", "ignore", "pipe"], env });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<number>((done) => child.on("close", (code) => done(code ?? 1)));
  return new Promise((done, fail) => {
    let waiting = true;
    exited.then((code) => {
      if (!waiting || code === 0 || code === 1) return;
      waiting = false;
      fail(new StepflowError(stderr.trim().slice(-1000) || `\`stepflow retry ${run.runId}\` exited with code ${code}`));
    });
    const deadline = Date.now() + APPEAR_MS;
    const poll = async () => {
      if (!waiting) return;
      const fresh = (await list().catch(() => [])).find((r) => r.flow === run.flow && r.runId !== run.runId && r.startedAt >= since);
      if (fresh || Date.now() > deadline) {
        waiting = false;
        return done(fresh ? { runId: fresh.runId } : {});
      }
      setTimeout(() => void poll(), 200);
    };
    void poll();
  });
}
