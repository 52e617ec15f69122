import { statSync } from "node:fs";
import type { Command } from "commander";
import { CliError } from "./cli-error.ts";

/**
 * The value of a numeric option, `--<option> <raw>`, as a whole number of at least `min`.
 * @throws CliError (exit 2) naming the option and the value given.
 */
export function wholeNumber(option: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new CliError(`\`--${option} ${raw}\` must be a whole number >= ${min}`);
  return n;
}

/**
 * The project folder of `--dir`: any path that is not an existing file (it is created on use).
 * @throws CliError (exit 2) when `dir` names a file.
 */
export function projectDir(dir: string): string {
  if (statSync(dir, { throwIfNoEntry: false })?.isFile()) {
    throw new CliError(
      `\`--dir ${dir}\` is a file; pass the project folder for results and history (created when missing), e.g. \`--dir .stepflow\``,
    );
  }
  return dir;
}

/** `--region` and `--history-table`, the options of commands that read the deployed history with `--remote`. */
export function remoteHistoryOptions(command: Command): Command {
  return command
    .option("--region <region>", "with --remote, the AWS region of the flow stack (default: the SDK's)")
    .option("--history-table <name>", "with --remote, the history table (default: STEPFLOW_HISTORY_TABLE)");
}
