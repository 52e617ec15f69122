/**
 * Decoding values that travel by the payload protocol back into plain JSON: envelopes, a
 * Map's rows and a Distributed Map's ResultWriter manifest. Used by the task handler for
 * its inputs, and (`decodeOutput`) by the local runner and client for flow outputs.
 */
import type { Json } from "../sdk/core/json.ts";
import { type ArgInput, type Envelope, LIST_STORED_ERROR, type OutputShape } from "../sdk/core/protocol.ts";
import { PayloadError } from "./errors.ts";
import { mapLimit } from "./private/json.ts";
import type { ResultStore } from "./stores/types.ts";

/**
 * A value that `resolveOutput` decodes: an envelope (bare, or wrapped as `{ env }` in a task
 * argument), a Map's rows, or a ResultWriter manifest.
 */
export type EncodedValue =
  | Envelope
  | Exclude<
      ArgInput,
      { readonly secret: string } | { readonly list: string } | { readonly obj: unknown } | { readonly arr: unknown }
    >;

/** Stored values read in parallel at most this many at a time (keeps sockets and memory bounded). */
const READ_CONCURRENCY = 16;

/**
 * Returns the plain JSON value an envelope, rows column or manifest column stands for,
 * reading stored parts from `results`. A manifest's `Bucket` is not read: ResultWriter writes
 * to the results bucket, which is the store's own.
 * @example const prices = await resolveOutput(results, execution.output as Envelope);
 */
export async function resolveOutput(results: ResultStore, value: EncodedValue): Promise<Json | undefined> {
  // `{}`: no value, what a `when` branch that returned nothing gives (JSON has no `undefined`).
  const bare = "env" in value ? value.env : value;
  return isNoValue(bare) ? undefined : resolveValue(results, bare);
}

/** `resolveOutput` inside a list: "no value" there is `null`, as JSON writes `undefined` in a list. */
async function resolveValue(results: ResultStore, value: EncodedValue): Promise<Json> {
  if (isNoValue(value)) return null;
  const stored = caughtList(value);
  if (stored) return results.get(stored.s3);
  if ("v" in value) return value.v;
  if ("env" in value) return resolveValue(results, value.env);
  if ("s3" in value) return results.get(value.s3);
  if ("items" in value) return mapLimit(value.items, READ_CONCURRENCY, (e) => resolveValue(results, e));
  if ("rows" in value) {
    // A Map the state machine ran as a Distributed Map (its list was too long inline) left a manifest.
    if (isManifest(value.rows)) return resolveValue(results, { manifest: value.rows.manifest, col: value.col });
    const column = value.rows.map((row, i) => cell(row, value.col, `row ${i}`));
    return mapLimit(column, READ_CONCURRENCY, (e) => resolveValue(results, e));
  }
  if ("manifest" in value) {
    const rows = await manifestRows(results, value.manifest.Key);
    const column = rows.map((row, i) =>
      cell(row, value.col, `item ${i} of manifest \`${value.manifest.Key}\``),
    );
    return mapLimit(column, READ_CONCURRENCY, (e) => resolveValue(results, e));
  }
  throw new PayloadError(
    `value \`${JSON.stringify(value).slice(0, 200)}\` is not an envelope, rows or manifest; it was not produced by the stepflow compiler`,
  );
}

/**
 * The result a flow's execution output stands for, decoded as the flow's `OutputShape` says.
 * Without a shape (a run started by flow name) an envelope is decoded and anything else is
 * returned as it is. `results` is called only when a value has to be read.
 * @example const result = await decodeOutput(execution.output, compiled.output, () => results);
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

function isNoValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/**
 * The envelope of a list its producer stored for a Distributed Map: the state's `Catch` put the
 * error output (`{ Error, Cause }`) where its result would be. `Cause` is the error's message locally,
 * and Lambda's error JSON (`{ errorMessage, ... }`) on AWS.
 */
function caughtList(value: unknown): { s3: string } | undefined {
  const caught = value as { Error?: unknown; Cause?: unknown } | null;
  if (caught?.Error !== LIST_STORED_ERROR || typeof caught.Cause !== "string") return undefined;
  try {
    const cause = JSON.parse(caught.Cause) as { s3?: unknown; errorMessage?: unknown };
    const envelope = typeof cause.errorMessage === "string" ? (JSON.parse(cause.errorMessage) as { s3?: unknown }) : cause;
    if (typeof envelope.s3 === "string") return { s3: envelope.s3 };
  } catch (cause) {
    throw new PayloadError(`the \`${LIST_STORED_ERROR}\` error output \`${caught.Cause.slice(0, 200)}\` does not hold a list's key`, { cause });
  }
  throw new PayloadError(`the \`${LIST_STORED_ERROR}\` error output \`${caught.Cause.slice(0, 200)}\` does not hold a list's key`);
}

function isManifest(value: unknown): value is { manifest: { Bucket: string; Key: string } } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && "manifest" in value;
}

function isEnvelope(value: unknown): value is Envelope {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "v") return true;
  if ("s3" in value && typeof (value as { s3: unknown }).s3 === "string") return true;
  return keys.length === 1 && keys[0] === "items" && Array.isArray((value as { items: Json }).items);
}

function cell(
  row: Readonly<Record<string, Envelope>> | null | undefined,
  col: string,
  where: string,
): Envelope {
  const e = row?.[col];
  if (e === undefined || e === null) {
    throw new PayloadError(
      `${where} has no column \`${col}\`; the Map iteration did not produce that call's result`,
    );
  }
  return e;
}

/** One entry of a ResultWriter result file (a child execution of a Distributed Map). */
interface ManifestEntry {
  readonly Input?: string;
  readonly Output?: string;
  readonly Status?: string;
}

/**
 * Reads a ResultWriter manifest, then its SUCCEEDED result files, and returns each iteration's
 * output object in item order (by the `index` field of the iteration input, when present).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
async function manifestRows(results: ResultStore, key: string): Promise<Record<string, Envelope>[]> {
  const manifest = (await results.get(key)) as { ResultFiles?: { SUCCEEDED?: { Key: string }[] } } | null;
  const files = manifest?.ResultFiles?.SUCCEEDED;
  if (!Array.isArray(files)) {
    throw new PayloadError(
      `\`${key}\` is not a Distributed Map ResultWriter manifest (no \`ResultFiles.SUCCEEDED\`)`,
    );
  }
  const chunks = await mapLimit(files, READ_CONCURRENCY, (f) => results.get(f.Key) as Promise<Json>);
  const entries = chunks.flatMap((c) => (Array.isArray(c) ? (c as unknown as ManifestEntry[]) : []));
  const rows = entries.map((e, i) => ({ order: itemIndex(e) ?? i, row: parseOutput(e, key) }));
  rows.sort((a, b) => a.order - b.order);
  return rows.map((r) => r.row);
}

function itemIndex(entry: ManifestEntry): number | undefined {
  try {
    const input = JSON.parse(entry.Input ?? "null") as { index?: unknown } | null;
    return typeof input?.index === "number" ? input.index : undefined;
  } catch {
    return undefined;
  }
}

function parseOutput(entry: ManifestEntry, key: string): Record<string, Envelope> {
  try {
    return JSON.parse(entry.Output ?? "null") as Record<string, Envelope>;
  } catch (cause) {
    throw new PayloadError(`a result file of manifest \`${key}\` holds an \`Output\` that is not JSON`, {
      cause,
    });
  }
}
