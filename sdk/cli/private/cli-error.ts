import { StepflowError } from "../../core/errors.ts";

/** Exit code of usage problems: bad file, unknown flow, bad parameters or options. */
export const EXIT_USAGE = 2;
/** Exit code of a run that did not succeed. */
export const EXIT_FAILED = 1;
/** Exit code of `--wait --timeout` running out while the run goes on (as `timeout(1)`'s 124). */
export const EXIT_STILL_RUNNING = 124;

/** A problem the CLI reports as one message and an exit code, without a stack trace. */
export class CliError extends StepflowError {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
