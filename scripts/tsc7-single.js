#!/usr/bin/env node
// TypeScript 7's `tsc` with `--singleThreaded`: vitest's type check in `npm test` (vitest.config.ts
// `typecheck.checker`, which takes an executable and no extra arguments). Its parallel checkers
// spend ~25% more CPU on the whole project (13.2 against 10.4 CPU-seconds, 4 alternating runs of
// each), and in `npm test` the check runs beside two test workers on two cores: CPU, not its own
// wall time, is what it costs the run.
process.argv.push("--singleThreaded");
await import("../node_modules/typescript7/bin/tsc");
