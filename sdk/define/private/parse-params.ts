/**
 * A flow's parameters validated against its `params` schema, once per run: the parsed value is
 * remembered, so passing it on (CLI -> `runLocal`, CLI -> client) does not validate it again
 * (which would also re-apply a schema's transforms to their own output).
 */
import { ParamsError } from "../../core/errors.ts";
import type { z } from "zod";
import { checkInputSize } from "../input-size.ts";

/** What `parseParams` needs of a flow. */
interface ParsingFlow {
  readonly flowName: string;
  readonly schema: z.ZodObject | undefined;
}

/** Values `parseParams` returned, by the flow whose schema made them. */
const parsed = new WeakMap<object, ParsingFlow>();

/**
 * Validates and completes (defaults) `params` of flow `f`; a value this returned for `f` before
 * comes back as it is.
 * @throws ParamsError naming every bad field.
 */
export function parseParams(f: ParsingFlow, params: unknown): Record<string, unknown> {
  if (typeof params === "object" && params !== null && parsed.get(params) === f) return params as Record<string, unknown>;
  const input = params ?? {};
  if (!f.schema) {
    const keys = typeof input === "object" ? Object.keys(input as object) : [];
    if (keys.length)
      throw new ParamsError(
        f.flowName,
        keys.map((k) => ({ path: k, message: "unknown parameter; this flow takes none" })),
      );
    checkInputSize(f.flowName, input);
    return remember({}, f);
  }
  const known = Object.keys(f.schema.shape);
  const unknownKeys =
    typeof input === "object" && !Array.isArray(input)
      ? Object.keys(input as object).filter((k) => !known.includes(k))
      : [];
  const result = f.schema.safeParse(input);
  const issues = [
    ...unknownKeys.map((k) => ({
      path: k,
      message: `unknown parameter; known: ${known.join(", ") || "none"}`,
    })),
    ...(result.success
      ? []
      : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }))),
  ];
  if (issues.length) throw new ParamsError(f.flowName, issues);
  checkInputSize(f.flowName, result.data);
  return remember(result.data as Record<string, unknown>, f);
}

function remember(value: Record<string, unknown>, f: ParsingFlow): Record<string, unknown> {
  parsed.set(value, f);
  return value;
}
