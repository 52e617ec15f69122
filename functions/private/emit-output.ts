/**
 * Turning a task's result into the envelope its state returns, following the output hints
 * the compiler put in the request (see `OutputHint` in sdk/core/protocol.ts).
 */
import { type Envelope, type OutputHint, resultKey, type TaskRequest } from "../../sdk/core/protocol.ts";
import { faithfulJson } from "./faithful-json.ts";
import { PayloadError } from "../errors.ts";
import type { ResultStore } from "../stores/types.ts";
import { jsonBytes, mapLimit } from "./json.ts";
import { truncate } from "./truncate.ts";
import type { Json } from "../../sdk/core/json.ts";

/** Size thresholds of the payload protocol (defaults from sdk/core/protocol.ts). */
export interface PayloadLimits {
  /** Inline results up to this many bytes. */
  readonly inlineBytes: number;
  /** Inline limit inside a Map iteration, and for each item of an `items` list. */
  readonly itemInlineBytes: number;
  /** No envelope the handler returns may be larger. */
  readonly payloadBytes: number;
  /** Most items an `items` list (an inline Map) may have. */
  readonly maxItems: number;
}

/**
 * An inline Map writes several history events per item (7 for one task, more for a chain) and a
 * Standard execution stops at 25,000 events: longer lists belong in a Distributed Map.
 */
export const MAX_INLINE_MAP_ITEMS = 1000;

/** Bytes `{"v":...}` adds around a value's JSON. */
export const INLINE_WRAPPER_BYTES = jsonBytes({ v: null }) - jsonBytes(null);

interface EmitContext {
  readonly request: TaskRequest;
  readonly results: ResultStore;
  readonly limits: PayloadLimits;
  /** Size of the value's JSON, when the caller already has it (from `toJson`). @default measured here */
  readonly bytes?: number;
}

const CONFLICTS: readonly (readonly [OutputHint, OutputHint])[] = [
  ["items", "stored"],
  ["items", "inline"],
  ["stored", "inline"],
  ["boolean", "stored"],
  ["boolean", "items"],
];

/**
 * Converts a task's return value to JSON: `undefined` becomes `null`; non-JSON values fail clearly.
 * Also returns the JSON text, so callers can check and measure it without serialising again.
 */
export function toJson(value: unknown, request: TaskRequest): { value: Json; text: string } {
  // A string, boolean, finite number or null reads back as itself: no walk, no parse.
  if (value === null || typeof value === "string" || typeof value === "boolean" || Number.isFinite(value)) {
    return { value: value as Json, text: JSON.stringify(value) };
  }
  try {
    const json = faithfulJson(value);
    if ("change" in json) {
      throw new PayloadError(
        `task \`${request.task}\` (state \`${request.state}\`) returned a value that JSON would change at \`${json.change.path}\`: ${json.change.what}`,
      );
    }
    return { value: JSON.parse(json.text) as Json, text: json.text };
  } catch (cause) {
    if (cause instanceof PayloadError) throw cause;
    throw new PayloadError(
      `task \`${request.task}\` (state \`${request.state}\`) returned a value that is not JSON-serialisable; results cross state boundaries as JSON, so return plain objects, arrays, strings, numbers, booleans or null`,
      { cause },
    );
  }
}

/**
 * The envelope of a result that travels inline as `{"v":...}` without a hint (most results), made
 * at once; `undefined` when `emitResult` must decide (a hint, or a value over its inline limit).
 * A local run makes one per task attempt: no promise, no hint set, no message text for it.
 */
export function inlineEnvelope(value: Json, ctx: EmitContext): Envelope | undefined {
  if (ctx.request.out?.length) return undefined;
  const bytes = ctx.bytes ?? jsonBytes(value);
  return bytes <= inlineLimit(ctx.request, ctx.limits) ? { v: value } : undefined;
}

/** The envelope for `value`, storing it (or its items) in the results store when needed. */
export async function emitResult(value: Json, ctx: EmitContext): Promise<Envelope> {
  const { request, limits } = ctx;
  const hints: { has(hint: OutputHint): boolean } = request.out?.length ? new Set(request.out) : NO_HINTS;
  const where = `task \`${request.task}\` (state \`${request.state}\`)`;
  if (request.out && request.out.length > 1) checkHints(hints, where);
  if (hints.has("boolean") && typeof value !== "boolean") {
    throw new PayloadError(
      `${where} returned ${describe(value)} but its result decides a \`when(...)\`; return \`true\` or \`false\``,
    );
  }
  if (hints.has("items")) return emitItems(value, ctx, where);
  if (hints.has("stored")) return store(value, ctx);
  const bytes = ctx.bytes ?? jsonBytes(value);
  if (hints.has("inline") || hints.has("boolean")) {
    // The state returns `{"v":...}`: a value that fits only without the wrapper must fail here.
    const wrapped = bytes + INLINE_WRAPPER_BYTES;
    if (wrapped > limits.payloadBytes) {
      throw new PayloadError(
        `${where} returned ${bytes} bytes of JSON (${wrapped} with its \`{"v":...}\` envelope), over the ${limits.payloadBytes}-byte Step Functions payload limit, and its result must travel inline (it is a subflow parameter); return a smaller value, or pass a reference such as an S3 key`,
      );
    }
    return { v: value };
  }
  if (bytes <= inlineLimit(request, limits)) return { v: value };
  return store(value, ctx);
}

/** The value stored under its result key. */
async function store(value: Json, { request, results }: EmitContext): Promise<Envelope> {
  const key = resultKey(request.flow, request.run, request.state, request.index);
  return { s3: key, bytes: await results.put(key, value) };
}

const NO_HINTS = { has: () => false };

function checkHints(hints: { has(hint: OutputHint): boolean }, where: string): void {
  for (const [a, b] of CONFLICTS) {
    if (hints.has(a) && hints.has(b)) {
      throw new PayloadError(
        `${where} got conflicting output hints \`${a}\` and \`${b}\`; this is a compiler bug, please report it`,
      );
    }
  }
}

/**
 * The most bytes of JSON this result may have to travel inline: the default for its place (top
 * level or Map item), lowered to its share of the state data budget when the compiler gave one.
 */
function inlineLimit(request: TaskRequest, limits: PayloadLimits): number {
  const base = request.index === undefined ? limits.inlineBytes : limits.itemInlineBytes;
  const share = request.share;
  if (!share) return base;
  const each = Math.floor(share.bytes / Math.max(1, share.of ?? 1)) - (share.overhead ?? 0);
  return Math.min(base, each - INLINE_WRAPPER_BYTES);
}

/** A list for an inline Map: each item inline when small, else stored under `<index>-<i>.json`. */
async function emitItems(value: Json, ctx: EmitContext, where: string): Promise<Envelope> {
  const { request } = ctx;
  // The list shares the state data with the run's other live values: the compiler's share bounds it.
  const budget = Math.min(ctx.limits.payloadBytes, request.share?.bytes ?? Number.POSITIVE_INFINITY);
  // The compiler's item budget follows the chain the Map runs per item; the default is for requests without one.
  const limits = { ...ctx.limits, payloadBytes: budget, maxItems: request.maxItems ?? ctx.limits.maxItems };
  if (!Array.isArray(value)) {
    throw new PayloadError(`${where} returned ${describe(value)} but it is mapped over; return a list`);
  }
  const tooMany = (why: string) =>
    new PayloadError(
      `${where} returned a list of ${value.length} items, too many for an inline Map (${why}); declare the task that maps over it with \`large: true\` so the list is read from S3 by a Distributed Map`,
    );
  if (value.length > limits.maxItems) {
    if (request.spill) return spill(value, ctx);
    throw tooMany(`at most ${limits.maxItems} items keep the execution under 25,000 history events`);
  }
  const stem = resultKey(request.flow, request.run, request.state, request.index).replace(/\.json$/, "");
  const keyOf = (i: number) => `${stem}-${i}.json`;
  const sizes = value.map(jsonBytes);
  const refBytes = (i: number) => jsonBytes({ s3: keyOf(i), bytes: sizes[i] });
  // Plan first, store after: a list that cannot fit fails before writing anything.
  const overhead = jsonBytes({ items: [] }) + value.length;
  const mixed = sizes.reduce(
    // `{"v":<item>}` is the item's own JSON plus 6 bytes: no need to serialise it again.
    (sum, s, i) => sum + (s <= limits.itemInlineBytes ? s + INLINE_WRAPPER_BYTES : refBytes(i)),
    overhead,
  );
  const storeAll = mixed > limits.payloadBytes;
  if (storeAll && sizes.reduce((sum, _s, i) => sum + refBytes(i), overhead) > limits.payloadBytes) {
    if (request.spill) return spill(value, ctx);
    throw tooMany(`its item references alone exceed the ${limits.payloadBytes}-byte payload limit`);
  }
  // Every item inline (a list of small values, the common case): no store call, so no promise per item.
  if (!storeAll && sizes.every((s) => s <= limits.itemInlineBytes)) return { items: value.map((item) => ({ v: item })) };
  const items = await mapLimit(value, 16, async (item, i): Promise<Envelope> => {
    if (!storeAll && sizes[i] <= limits.itemInlineBytes) return { v: item };
    return { s3: keyOf(i), bytes: await ctx.results.put(keyOf(i), item) };
  });
  return { items };
}

/** The whole list, stored: the state machine runs a Distributed Map over it (see `TaskRequest.spill`). */
async function spill(value: Json, ctx: EmitContext): Promise<Envelope> {
  const { request } = ctx;
  const key = request.spillKey ?? resultKey(request.flow, request.run, request.state, request.index);
  return { s3: key, bytes: await ctx.results.put(key, value) };
}

function describe(value: Json): string {
  const text = JSON.stringify(value);
  return `\`${truncate(text, 80)}\` (${Array.isArray(value) ? "a list" : value === null ? "null" : typeof value})`;
}
