import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { SlowFirst } from "./test/support/slow-first.ts";

/**
 * Two TypeScripts. The type check (vitest's, below, and the UI's in `npm test`) runs TypeScript 7,
 * the native compiler, installed as `typescript7` (an npm alias): the whole project in ~9 CPU-seconds
 * instead of ~26 with 5.9. Everything that uses TypeScript as a library (typescript-eslint, the
 * README's typed lint, the compiler's own source reading) keeps `typescript` 5.9: 7.0 has no stable
 * JS API. Both packages name their binary `tsc`; the scripts and this file call 7 by its path, so
 * nothing depends on which one npm links as `node_modules/.bin/tsc` (5.9 after `npm ci`); here
 * through scripts/tsc7-single.js, which runs it single-threaded (less CPU beside the test workers).
 * `npm run test:e2e` also checks the project with 5.9, the `tsc` users and typescript-eslint run.
 */
const TSC7 = fileURLToPath(new URL("./scripts/tsc7-single.js", import.meta.url));

/**
 * The end-to-end tier (`npm run test:e2e`): whole systems started per file, minutes on two
 * cores. `npm test` runs everything else; `.ci/run` runs both, so every test runs in CI.
 */
const E2E = [
  "test/e2e/**/*.test.ts", // `cdk synth` through the real CLI; the synthesized examples run on emulators
  "test/rehearse/examples.test.ts", // the examples deployed by CloudFormation into moto
  "test/ui/browser.test.ts", // `stepflow ui` in a real Chromium
  "test/cli/cli.test.ts", // the real binary spawned: compiled CLI, pipes, start-up trace
  "test/infra/cfn-lint.test.ts", // the examples' whole stack synthesized, then linted by cfn-lint (Python)
  "test/client/retry-moto.test.ts", // moto (Python) started to check that it still lacks RedriveExecution
  "test/readme/readme-lint.test.ts", // typed lint: a TypeScript program of the whole repo, aws-cdk-lib's types included
  "test/local/worker-exit.test.ts", // a Node process spawned (tsx loading the SDK anew) to see it exit by itself
  "test/local/history-signals.test.ts", // `stepflow run` processes spawned and killed by signals mid-run
  "test/local/cache-race.test.ts", // two `stepflow run` processes spawned to race on one cache key
  "test/compile/liveness-scale.test.ts", // Maps run at their item budgets: thousands of task runs (liveness.test.ts runs the switch at 27 items)
];

const shared = {
  setupFiles: ["./test/setup.ts"],
  // Limits for a hung test, not speed targets: a synth takes 45 s with two files at a time on
  // two cores when the machine is shared.
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // Processes, not threads: a test may change the working directory (`process.chdir` throws in
  // a worker thread), and each worker's emulators and task workers end with its process.
  pool: "forks" as const,
};

export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one worker (cores - 1): the files would run one at a time.
    // Two forks keep both cores busy while a file waits on an emulator or a child process.
    maxWorkers: 2,
    // The slowest files first, so that no long file starts last while the other worker idles.
    sequence: { sequencer: SlowFirst },
    projects: [
      {
        test: {
          ...shared,
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: E2E,
          // Each worker runs file after file with one module cache: aws-cdk-lib, TypeScript, ESLint
          // and the AWS SDK load once per worker, not once per file (the unit tier's import time
          // was three times its test time). test/setup.ts undoes each file's changes to
          // environment variables and the working directory; files restore what they mock.
          isolate: false,
          // aws-cdk-lib checks each synthesized template with its CloudFormation validator, a WASM
          // engine started on a worker's first synth (~6-9 CPU-seconds) that then adds ~1 s to each
          // synth. It only warns (no test reads those warnings); the e2e tier keeps it on, beside
          // cfn-lint over the examples' whole stack (test/infra/cfn-lint.test.ts).
          env: { CDK_VALIDATION: "false" },
          // The type tests (test/**/*.test-d.ts, expectTypeOf) run through `tsc -p tsconfig.json`,
          // the whole project's check, beside the runtime tests: an error in any file of the
          // project fails the run (source errors are not ignored), so no separate `tsc` is needed.
          typecheck: {
            enabled: true,
            checker: TSC7,
            include: ["test/**/*.test-d.ts"],
            tsconfig: "tsconfig.json",
          },
        },
      },
      { test: { ...shared, name: "e2e", include: E2E } },
    ],
  },
});
