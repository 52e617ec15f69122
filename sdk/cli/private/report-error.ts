/**
 * How `main` reports what a command threw: one message on stderr and an exit code. Errors that
 * name an API option (`historyTable`) are reworded with the CLI flag the user has
 * (`--history-table`); a request that never reached AWS is told apart from one AWS refused.
 */
import { CommanderError } from "commander";
import { StepflowError } from "../../core/errors.ts";
import { CliError, EXIT_FAILED, EXIT_USAGE } from "./cli-error.ts";

/** `StepflowClient` options and the CLI flags that set them. */
const FLAGS: Readonly<Record<string, string>> = {
  historyTable: "--history-table <name>",
  resultsBucket: "--results-bucket <name>",
  region: "--region <region>",
};

/** Network failures Node reports by `code` when no answer came back. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** Writes `error` to `stderr` as the CLI reports it and returns the exit code. */
export function reportError(error: unknown, stderr: { write(text: string): unknown }): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
  if (error instanceof CliError) {
    if (error.message) stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof StepflowError) {
    stderr.write(`error: ${cliWording(error.message)}\n`);
    return EXIT_USAGE;
  }
  if (isNetworkError(error)) {
    stderr.write(
      `error: could not reach AWS (no answer came back): ${describe(error)}; check the network, the region (\`--region\` or \`AWS_REGION\`) and any endpoint override (\`AWS_ENDPOINT_URL\`), then try again\n`,
    );
    return EXIT_USAGE;
  }
  // An AWS error the client passes through as it is (it maps only those it can name a fix
  // for): AWS answered and refused the request, which is not a stepflow crash.
  if (isAwsServiceError(error)) {
    stderr.write(`error: AWS refused the request: ${error.name}: ${error.message}\n`);
    return EXIT_USAGE;
  }
  stderr.write(
    `stepflow crashed; this is a bug, please report it:\n${error instanceof Error ? error.stack : String(error)}\n`,
  );
  return EXIT_FAILED;
}

/** `message` with API option names replaced by the CLI flags that set them. */
export function cliWording(message: string): string {
  return message
    .replace(/`StepflowClient` does not know/g, "stepflow does not know")
    .replace(/pass `(\w+)`(?: \(`--[\w-]+` on the CLI\))?/g, (whole, option: string) =>
      FLAGS[option] ? `pass \`${FLAGS[option]}\`` : whole,
    );
}

/**
 * An AWS SDK service exception: the service answered (an HTTP status is recorded). Errors
 * thrown before any answer carry `$metadata` too, but without a status.
 */
function isAwsServiceError(error: unknown): error is Error {
  return error instanceof Error && answered(error);
}

function answered(error: Error): boolean {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return typeof metadata?.httpStatusCode === "number";
}

function isNetworkError(error: unknown): error is Error {
  if (!(error instanceof Error) || answered(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  // The SDK's own names for a request that got no answer in time.
  return error.name === "TimeoutError" || error.name === "RequestTimeout";
}

function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && !error.message.includes(code)
    ? `${code}: ${error.message}`
    : error.message;
}
