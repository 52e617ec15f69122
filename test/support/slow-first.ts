/**
 * The order in which `vitest run` hands out test files (vitest.config.ts, `sequence.sequencer`).
 *
 * Two workers take files from one queue, each the next when it is free: the run ends when the
 * last file ends, so a long file started last leaves the other core idle meanwhile. Longest first
 * keeps both busy to the end. Vitest's own order is longest first only with a results cache
 * (none in a fresh clone: it then runs larger files first) and its cached time leaves out a
 * file's import time, where a file that synthesizes a stack at its top level spends most of it.
 * So the slowest files, timed import included, are listed here, slowest first; the rest follow
 * in vitest's order. A list that has gone stale only costs some idle time at the end of a run.
 */
import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The unit tier's slowest files (import plus tests, each file's whole time in a worker), slowest
 * first: the mean of two cold `CI=true node scripts/test.js` runs (no `.stepflow/bundles`, no
 * `node_modules/.cache/stepflow/validated-asl`) at nice -15 on the shared 2-core machine, with a
 * setup file that timed each file from its setup to its last `afterAll` (2026-12-02, session 10).
 */
export const SLOW_FILES = [
  "test/cli/plan-model.test.ts",
  "test/infra/flow-stack.test.ts",
  "test/infra/example-iam.test.ts",
  "test/functions/store-faults.test.ts",
  "test/compile/liveness.test.ts",
  "test/readme/readme.test.ts",
  "test/eslint/no-ref-condition.test.ts",
  "test/local/timeouts.test.ts",
  "test/functions/cache-lease.test.ts",
  "test/infra/naming.test.ts",
  "test/compile/schedule.test.ts",
  "test/cli/retry.test.ts",
  "test/cli/run.test.ts",
  "test/compile/schedule-scale.test.ts",
  "test/functions/aws-stores.test.ts",
  "test/local/strict-run.test.ts",
  "test/cli/inspect.test.ts",
  "test/ui/server.test.ts",
  "test/flows/etl.test.ts",
  "test/infra/task-resources.test.ts",
];

/** Vitest's order, with the files of `SLOW_FILES` moved to the front in that list's order. */
export class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = SLOW_FILES.indexOf(relative(spec.project.config.root, spec.moduleId).replaceAll("\\", "/"));
      return i === -1 ? SLOW_FILES.length : i;
    };
    // Array.prototype.sort is stable: files outside the list keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
