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
