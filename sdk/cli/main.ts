/**
 * Entry of the `stepflow` CLI (`bin/stepflow.js` loads it after registering tsx, so flow files
 * written in TypeScript load). `main` returns the exit code: 0 ok, 1 a run failed, 2 a usage
 * problem (bad file, unknown flow, bad parameters or options, or a request AWS refused: no
 * credentials, access denied, a flow not deployed), 124 `trigger --wait --timeout` ran out while
 * the run goes on.
 */
import { CommanderError } from "commander";
import { StepflowError } from "../errors.ts";
import { CliError, EXIT_USAGE } from "./private/cli-error.ts";
import type { CliIo } from "./private/io.ts";
import { createProgram } from "./program.ts";

export type { CliIo } from "./private/io.ts";

/** Runs the CLI on `argv` (as `process.argv`) and returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof CliError) {
      if (error.message) io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof StepflowError) {
      io.stderr.write(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    // An AWS error the client passes through as it is (it maps only those it can name a fix
    // for): AWS refused the request, which is not a stepflow crash.
    if (isAwsServiceError(error)) {
      io.stderr.write(`error: AWS refused the request: ${error.name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(
      `stepflow crashed; this is a bug, please report it:\n${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return 1;
  }
}

/** An AWS SDK service exception: the service answered with an error (it carries `$metadata`). */
function isAwsServiceError(error: unknown): error is Error {
  return error instanceof Error && "$metadata" in error;
}
