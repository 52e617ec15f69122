/** Task result caching: keys, expiry, lookups. */
import { createHash } from "node:crypto";
import type { AnyTask } from "../../sdk/define/task.ts";
import type { Json } from "../../sdk/graph/types.ts";
import type { TaskRequest } from "../../sdk/protocol.ts";
import type { CacheStore } from "../stores/types.ts";

/**
 * The cache key of a call, or `undefined` when the task does not cache. The task's own
 * `cache.key(...args)` wins; otherwise a SHA-256 of the task name and its inputs. Either way
 * the key is hashed with the task name, so two tasks never share entries. Keys live under the
 * flow and task (`<flow>/<task>/<hash>`): the task's Lambda may read and write only that prefix.
 */
export function cacheKey(request: TaskRequest, task: AnyTask, args: readonly Json[]): string | undefined {
  const cache = task.options.cache;
  if (!cache) return undefined;
  const custom = cache.key as ((...a: readonly Json[]) => unknown) | undefined;
  const raw = custom ? `key:${String(custom(...args))}` : `inputs:${JSON.stringify(keyMaterial(request, args))}`;
  const hash = createHash("sha256").update(`${task.taskName}\n${raw}`).digest("hex");
  return `${request.flow}/${task.taskName}/${hash}`;
}

/**
 * The inputs as they enter the default cache key: secrets by name (never by value, which
 * rotates and must not be hashed into keys that outlive it), everything else resolved.
 */
function keyMaterial(request: TaskRequest, values: readonly Json[]): Json[] {
  return request.args.map((arg, i) => ("secret" in arg ? { secret: arg.secret } : values[i]));
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
