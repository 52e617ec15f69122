import type { Json } from "../../sdk/core/json.ts";

/**
 * Size in bytes of a value's JSON (UTF-8): `Buffer.byteLength(JSON.stringify(value) ?? "null")`,
 * counted without building the text. A local run measures every state's data and every task's
 * Lambda event against the 256 KB limit, and building the JSON (Node 20 has no fast path for it)
 * cost twice the count. Anything unusual (a `toJSON`, a boxed value, a bigint, deep nesting, a
 * string that needs escaping or is not ASCII) is measured by serialising that part.
 */
export function jsonBytes(value: unknown): number {
  return value === undefined ? 4 : sizeOf(value, 0);
}

/** Printable ASCII except `"` and `\`: JSON writes such a string as it is, between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** Nesting past this is measured by serialising (which also reports a cycle as JSON does). */
const MAX_DEPTH = 64;

function stringBytes(text: string): number {
  return PLAIN.test(text) ? text.length + 2 : Buffer.byteLength(JSON.stringify(text));
}

function serialised(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "null");
}

function sizeOf(value: unknown, depth: number): number {
  switch (typeof value) {
    case "string":
      return stringBytes(value);
    case "number":
      return Number.isFinite(value) ? String(value).length : 4;
    case "boolean":
      return value ? 4 : 5;
    case "object": {
      if (value === null) return 4;
      if (depth >= MAX_DEPTH) return serialised(value);
      if (Array.isArray(value)) {
        let bytes = 2 + Math.max(0, value.length - 1);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          bytes += item === undefined || typeof item === "function" || typeof item === "symbol" ? 4 : sizeOf(item, depth + 1);
        }
        return bytes;
      }
      if (!isPlain(value)) return serialised(value);
      let bytes = 2;
      let first = true;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        const item: unknown = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        bytes += (first ? 0 : 1) + stringBytes(key) + 1 + sizeOf(item, depth + 1);
        first = false;
      }
      return bytes;
    }
    default:
      // A bigint throws as JSON.stringify does; a function or symbol alone is `null`.
      return serialised(value);
  }
}

/** An object JSON writes as its own enumerable string-keyed properties (JSON data, plain objects). */
function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A short JSON preview for history records: values over `maxBytes` become a size note. `known`: the value's size, if measured. */
export function preview(value: Json, maxBytes: number, known?: number): Json {
  const bytes = known ?? jsonBytes(value);
  return bytes <= maxBytes ? value : { omitted: true, bytes };
}
