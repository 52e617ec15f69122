import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { flow, task, taskContext, UsageError } from "../../sdk/index.ts";
import { runLocal } from "../../sdk/local/index.ts";

const dir = mkdtempSync(join(tmpdir(), "stepflow-context-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let failures = 0;
const whoAmI = task("who-am-i", { retries: 1 }, (x: number) => {
  const c = taskContext();
  if (c.mapIndex === 1 && c.attempt === 0 && failures++ === 0) throw new Error("flaky");
  return `${c.flow}/${c.runId}/${c.state}/${c.mapIndex}/${c.attempt}/${x}`;
});
const contexts = flow("contexts", { params: z.object({ xs: z.array(z.number()) }) }, ({ xs }) => whoAmI.map(xs));

describe("taskContext", () => {
  it("tells a running task its flow, run, state, map index and attempt", async () => {
    const run = await runLocal(contexts, { xs: [7, 8] }, { dir, fastRetries: true, runId: "contexts-run-1" });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.result).toEqual(["contexts/contexts-run-1/who-am-i/0/0/7", "contexts/contexts-run-1/who-am-i/1/1/8"]);
  });

  it("is unavailable outside a running task", () => {
    expect(() => whoAmI.fn(1)).toThrow(UsageError);
    expect(() => taskContext()).toThrow(/called outside a running task/);
  });
});
