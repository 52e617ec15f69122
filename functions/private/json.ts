import type { Json } from "../../sdk/core/json.ts";

/** Size in bytes of a value's JSON (UTF-8). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "null");
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
