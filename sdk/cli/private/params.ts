import type { AnyFlow } from "../../define/flow.ts";
import { CliError } from "./cli-error.ts";

/** Collects repeated `--param k=v` options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Builds the run's parameters from `--params-json` and `--param k=v` (which win). A value is
 * JSON-parsed when that gives a number, boolean, null, list or object, else kept as a string;
 * when the flow's schema accepts the raw string but not the parsed value (e.g. a string
 * parameter given `007` or `true`), the string is kept. Without the flow (a deployed flow
 * started by name) there is no schema to ask, so parsed values are kept.
 * @throws CliError (exit 2) for a `--param` without `=` or `--params-json` that is not a JSON object.
 */
export function buildParams(
  flow: AnyFlow | undefined,
  pairs: readonly string[],
  json: string | undefined,
): Record<string, unknown> {
  let params: Record<string, unknown> = {};
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (cause) {
      throw new CliError(
        `\`--params-json\` is not valid JSON (${(cause as Error).message}); pass an object like '{"coin":"BTC"}'`,
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new CliError(`\`--params-json\` must be a JSON object like '{"coin":"BTC"}'`);
    }
    params = { ...(parsed as Record<string, unknown>) };
  }
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw new CliError(`\`--param ${pair}\` is not \`name=value\`; write e.g. \`--param coin=BTC\``);
    const key = pair.slice(0, eq);
    params[key] = coerce(flow, key, pair.slice(eq + 1));
  }
  return params;
}

function coerce(flow: AnyFlow | undefined, key: string, raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (typeof parsed === "string") return raw;
  const field = flow?.schema?.shape[key] as { safeParse?: (v: unknown) => { success: boolean } } | undefined;
  if (field?.safeParse && !field.safeParse(parsed).success && field.safeParse(raw).success) return raw;
  return parsed;
}
