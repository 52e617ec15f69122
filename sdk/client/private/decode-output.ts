/**
 * Decodes an execution output back into the flow's result, as the flow's `OutputShape` says:
 * an envelope (`{ v }` inline, `{ s3 }` stored), a Map's rows, or a Distributed Map manifest.
 */
import { type ResultStore, resolveOutput } from "../../../functions/index.ts";
import type { OutputShape } from "../../compile/types.ts";
import type { Json } from "../../graph/types.ts";
import type { Envelope } from "../../protocol.ts";

/**
 * The result an output stands for. Without a shape (a run started by flow name) an envelope is
 * decoded and anything else is returned as it is.
 */
export async function decodeOutput(
  output: unknown,
  shape: OutputShape | undefined,
  results: () => ResultStore,
): Promise<unknown> {
  if (shape === undefined) return isEnvelope(output) ? resolveOutput(results(), output) : output;
  switch (shape.kind) {
    case "none":
      return null;
    case "envelope":
      return resolveOutput(results(), output as Envelope);
    case "rows":
      return resolveOutput(results(), { rows: output as Record<string, Envelope>[], col: shape.col });
    case "manifest":
      return resolveOutput(results(), {
        manifest: output as { Bucket: string; Key: string },
        col: shape.col,
      });
  }
}

function isEnvelope(value: unknown): value is Envelope {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "v") return true;
  if ("s3" in value && typeof (value as { s3: unknown }).s3 === "string") return true;
  return keys.length === 1 && keys[0] === "items" && Array.isArray((value as { items: Json }).items);
}
