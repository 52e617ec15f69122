import { createRequire, syncBuiltinESMExports } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { flow, task } from "../../sdk/index.ts";
import { runLocal } from "../../sdk/local/index.ts";
import { tempDir } from "../support/temp-dir.ts";

// A full collection on demand, without a command-line flag.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** WeakRefs made by the task while the run went. */
const refs: WeakRef<object>[] = [];
const items = task("eoj-items", (n: number) => Array.from({ length: n }, (_, i) => i));
const keep = task("eoj-keep", (i: number) => {
  refs.push(new WeakRef({ i }));
  return i;
});
const mapped = flow("end-of-job", { params: z.object({ n: z.number() }) }, ({ n }) => keep.map(items(n)));

describe("a local run's end", () => {
  it("ends the job it ran in, so what a WeakRef was made for during the run can be collected when it returns", async () => {
    refs.length = 0;
    const run = await runLocal(mapped, { n: 5 }, { dir: tempDir("stepflow-end-of-job-") });
    expect(run.status).toBe("SUCCEEDED");
    expect(refs).toHaveLength(5);
    // Still in the job the run ran in (no turn of the event loop since), V8 would keep every target.
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toStrictEqual([]);
  });

  it("ends when node:timers' setImmediate is faked after stepflow loaded (Jest's fake timers in a CommonJS build patch it)", async () => {
    const timers = createRequire(import.meta.url)("node:timers") as { setImmediate: typeof setImmediate };
    const real = timers.setImmediate;
    let faked = 0;
    // Never runs its callback, as a fake clock nobody advances; synced into the ESM bindings too.
    timers.setImmediate = (() => void faked++) as unknown as typeof setImmediate;
    syncBuiltinESMExports();
    try {
      const run = await runLocal(mapped, { n: 2 }, { dir: tempDir("stepflow-end-of-job-") });
      expect(run.status).toBe("SUCCEEDED");
    } finally {
      timers.setImmediate = real;
      syncBuiltinESMExports();
    }
    expect(faked).toBe(0);
  });
});
