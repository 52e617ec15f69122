/**
 * How `stepflow run` prints a run's result on stdout: whole when stdout is a pipe or a file
 * (scripts read it), and on a terminal up to a screenful, then where the whole value is stored.
 */
import { relative, resolve } from "node:path";
import type { LocalRun } from "../../local/index.ts";
import type { CliIo } from "./io.ts";

/** Longest result printed on a terminal; longer ones end with where the whole value is. */
export const TERMINAL_RESULT_CHARS = 10_000;

/** Writes the result of the succeeded `run` to stdout. */
export function printResult(run: LocalRun, io: CliIo, dir: string): void {
  const text = JSON.stringify(run.result ?? null, null, 2);
  if (io.stdout.isTTY !== true || text.length <= TERMINAL_RESULT_CHARS) {
    io.stdout.write(`${text}\n`);
    return;
  }
  const files = storedKeys(run.output).map((key) => storedFile(dir, key));
  const where =
    files.length === 0
      ? ""
      : files.length === 1
        ? `; the whole value is stored in \`${files[0]}\``
        : `; its stored parts are in \`${files[0]}\` and ${files.length - 1} more file(s) beside it`;
  io.stdout.write(
    `${text.slice(0, TERMINAL_RESULT_CHARS)}\n… (${text.length.toLocaleString("en-US")} characters${where}; pipe the output, e.g. \`| less\`, or add \`--json\` to print it whole)\n`,
  );
}

/**
 * The result-store keys of the values a run's raw output references (`{ "s3": key }` envelopes,
 * anywhere in the output), in order.
 */
export function storedKeys(output: unknown): string[] {
  const keys: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") {
      const s3 = (value as { s3?: unknown }).s3;
      if (typeof s3 === "string") keys.push(s3);
      else Object.values(value).forEach(walk);
    }
  };
  walk(output);
  return keys;
}

/** The file of result-store key `key` under the project folder `dir`: relative when under the working directory. */
export function storedFile(dir: string, key: string): string {
  const file = resolve(dir, "results", key);
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}
