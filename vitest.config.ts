import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: forks keep emulator ports and module state apart per file.
    pool: "forks",
    // The type tests (test/**/*.test-d.ts, expectTypeOf) run through `tsc -p tsconfig.json`, the
    // whole project's check, beside the runtime tests: an error in any file of the project fails
    // the run (source errors are not ignored), so `npm test` needs no separate `tsc` of it.
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "tsconfig.json",
    },
  },
});
