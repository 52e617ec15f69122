/**
 * Entry of the `stepflow` CLI (`bin/stepflow.js` loads it after registering tsx, so flow files
 * written in TypeScript load). `main` returns the exit code: 0 ok, 1 a run failed, 2 a usage
 * problem (bad file, unknown flow, bad parameters or options, AWS unreachable, or a request AWS
 * refused: no credentials, access denied, a flow not deployed), 124 `trigger --wait --timeout`
 * ran out while the run goes on.
 */
import type { CliIo } from "./private/io.ts";
import { reportError } from "./private/report-error.ts";
import { createProgram } from "./program.ts";

export type { CliIo } from "./private/io.ts";

/** Runs the CLI on `argv` (as `process.argv`) and returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv]);
    return 0;
  } catch (error) {
    return reportError(error, io.stderr);
  }
}
