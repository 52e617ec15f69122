import { ResultNotFoundError } from "../errors.ts";
import type { CacheEntry, CacheStore, ResultStore } from "./types.ts";
import type { Json } from "../../sdk/core/json.ts";
import { cachedResultKey } from "../../sdk/core/protocol.ts";

/**
 * A cache kept in the results store under `cache/<flow>/<task>/<hash>.json` (S3 on AWS, files locally),
 * so cached results need no extra infrastructure and expire with the bucket's lifecycle too.
 */
export function resultsCacheStore(results: ResultStore): CacheStore {
  return {
    async get(key) {
      try {
        const entry = (await results.get(cachedResultKey(key))) as { storedAt?: unknown; value?: Json } | null;
        if (typeof entry?.storedAt !== "number" || !("value" in entry)) return undefined;
        return { storedAt: entry.storedAt, value: entry.value ?? null };
      } catch (error) {
        if (error instanceof ResultNotFoundError) return undefined;
        throw error;
      }
    },
    async put(key, entry: CacheEntry) {
      await results.put(cachedResultKey(key), { storedAt: entry.storedAt, value: entry.value });
    },
  };
}
