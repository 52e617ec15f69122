/**
 * Where the example flows read their input: a sample file shipped in `flows/data/` (local runs,
 * no network) or an HTTP(S) URL (deployed runs). Flows with a public source default to `auto`:
 * the sample when run on this machine, the real source when deployed.
 */
import { readFile } from "node:fs/promises";
import { NonRetriableError } from "stepflow";

/** The value of a `source` parameter that means "the sample file shipped with the flow". */
export const SAMPLE = "sample";

/** The value of a `source` parameter that means "the sample here, the real source in Lambda". */
export const AUTO = "auto";

/** True inside AWS Lambda (the runtime sets `AWS_LAMBDA_FUNCTION_NAME`), false locally and in tests. */
export function deployed(): boolean {
  return Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
}

/** `source` with `auto` resolved: `real` when deployed, else `sample`; other values as they are. */
export function resolveAuto(source: string, sample: string, real: string): string {
  if (source !== AUTO) return source;
  return deployed() ? real : sample;
}

/**
 * Reads `source`: the shipped sample file `sample` when `source` is `"sample"`, else the URL.
 * A 4xx answer (other than 429) is not retried: asking again will not fix it.
 */
export async function readSource(source: string, sample: URL): Promise<string> {
  if (source === SAMPLE) return readSample(sample);
  if (!/^https?:\/\//.test(source)) {
    throw new NonRetriableError(
      `source \`${source}\` is neither \`${SAMPLE}\` nor an http(s) URL; pass \`source=${SAMPLE}\` or a URL`,
    );
  }
  const response = await fetch(source);
  const answered = `\`${source}\` answered ${response.status}`;
  throwUnlessOk(response, { rejected: `${answered}; check the URL`, failed: `${answered}; retrying` });
  return response.text();
}

/** What to say when an HTTP request fails. */
export interface FailureMessages {
  /** For a 4xx answer other than 429: the request itself is wrong, so say how to fix it. */
  readonly rejected: string;
  /** For any other answer that is not ok (5xx, 429, ...): the task retries. */
  readonly failed: string;
}

/**
 * Throws unless `response` is ok: a 4xx answer other than 429 (rate limited) as a
 * `NonRetriableError`, since asking again will not fix it; any other failure as an `Error`, which
 * the task's retries retry.
 */
export function throwUnlessOk(response: Response, messages: FailureMessages): void {
  if (response.status >= 400 && response.status < 500 && response.status !== 429) {
    throw new NonRetriableError(messages.rejected);
  }
  if (!response.ok) throw new Error(messages.failed);
}

async function readSample(file: URL): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    // Task bundles do not carry flows/data/, so a deployed run must be given a URL.
    throw new NonRetriableError(
      `sample file \`${file.pathname}\` is not readable here (deployed tasks do not ship flows/data/); pass \`source\` as an http(s) URL`,
      { cause: error },
    );
  }
}
