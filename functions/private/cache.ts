/** Task result caching: keys, expiry, lookups. */
import { createHash } from "node:crypto";
import type { AnyTask } from "../../sdk/define/task.ts";
import type { Json } from "../../sdk/graph/types.ts";
import type { CacheStore } from "../stores/types.ts";

/**
 * The cache key of a call, or `undefined` when the task does not cache. The task's own
 * `cache.key(...args)` wins; otherwise a SHA-256 of the task name and its inputs. Either way
 * the key is hashed with the task name, so two tasks never share entries. Keys live under the
 * flow and task (`<flow>/<task>/<hash>`): the task's Lambda may read and write only that prefix.
 */
export function cacheKey(
  flow: string,
  task: AnyTask,
  args: readonly Json[],
  material: readonly Json[],
): string | undefined {
  const cache = task.options.cache;
  if (!cache) return undefined;
  const custom = cache.key as ((...a: readonly Json[]) => unknown) | undefined;
  const raw = custom ? `key:${String(custom(...args))}` : `inputs:${JSON.stringify(material)}`;
  const hash = createHash("sha256").update(`${task.taskName}\n${raw}`).digest("hex");
  return `${flow}/${task.taskName}/${hash}`;
}

/** The cached value under `key` if it was stored less than `expiresInSeconds` before `now`. */
export async function readCache(
  store: CacheStore,
  key: string,
  expiresInSeconds: number,
  now: number,
): Promise<{ readonly value: Json } | undefined> {
  const entry = await store.get(key);
  if (!entry || now - entry.storedAt >= expiresInSeconds * 1000) return undefined;
  return { value: entry.value };
}
