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
  if (response.status >= 400 && response.status < 500 && response.status !== 429) {
    throw new NonRetriableError(`\`${source}\` answered ${response.status}; check the URL`);
  }
  if (!response.ok) throw new Error(`\`${source}\` answered ${response.status}; retrying`);
  return response.text();
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
