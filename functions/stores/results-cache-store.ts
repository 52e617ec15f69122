import { ResultNotFoundError } from "../errors.ts";
import type { CacheEntry, CacheStore, ResultStore } from "./types.ts";
import type { Json } from "../../sdk/core/json.ts";

/**
 * A cache kept in the results store under `cache/<flow>/<task>/<hash>.json` (S3 on AWS, files locally),
 * so cached results need no extra infrastructure and expire with the bucket's lifecycle too.
 */
export function resultsCacheStore(results: ResultStore): CacheStore {
  const keyOf = (key: string) => `cache/${key}.json`;
  return {
    async get(key) {
      try {
        const entry = (await results.get(keyOf(key))) as { storedAt?: unknown; value?: Json } | null;
        if (typeof entry?.storedAt !== "number" || !("value" in entry)) return undefined;
        return { storedAt: entry.storedAt, value: entry.value ?? null };
      } catch (error) {
        if (error instanceof ResultNotFoundError) return undefined;
        throw error;
      }
    },
    async put(key, entry: CacheEntry) {
      await results.put(keyOf(key), { storedAt: entry.storedAt, value: entry.value });
    },
  };
}
