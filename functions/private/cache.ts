/** Task result caching: keys, expiry, lookups. */
import { createHash } from "node:crypto";
import type { RuntimeTask } from "../../sdk/core/runtime-task.ts";
import { NonRetriableError } from "../../sdk/core/errors.ts";
import { type ArgInput, cacheKeyPrefix, type TaskRequest } from "../../sdk/core/protocol.ts";
import type { CacheStore } from "../stores/types.ts";
import type { Json } from "../../sdk/core/json.ts";

/**
 * The cache key of a call, or `undefined` when the task does not cache. The task's own
 * `cache.key(...args)` wins; otherwise a SHA-256 of the task name and its inputs. Either way
 * the key is hashed with the task name, so two tasks never share entries. Keys live under the
 * flow and task (`<flow>/<task>/<hash>`): the task's Lambda may read and write only that prefix.
 */
export function cacheKey(request: TaskRequest, task: RuntimeTask, args: readonly Json[]): string | undefined {
  const cache = task.options.cache;
  if (!cache) return undefined;
  const custom = cache.key as ((...a: readonly Json[]) => unknown) | undefined;
  const raw = custom ? `key:${customKey(task.taskName, custom(...args))}` : `inputs:${JSON.stringify(keyMaterial(request, args))}`;
  const hash = createHash("sha256").update(`${task.taskName}\n${raw}`).digest("hex");
  return `${cacheKeyPrefix(request.flow, task.taskName)}${hash}`;
}

/** A `cache.key` result must be a string: `String({...})` is "[object Object]" for every call, which would share one entry. */
function customKey(taskName: string, key: unknown): string {
  if (typeof key === "string") return key;
  const got = key === null ? "null" : Array.isArray(key) ? "an array" : typeof key === "object" ? "an object" : `a ${typeof key}`;
  throw new NonRetriableError(
    `the \`cache.key\` function of task \`${taskName}\` returned ${got}, not a string; return a string that identifies the call, e.g. \`(coin) => coin\` or \`(q) => JSON.stringify(q)\``,
  );
}

/**
 * The inputs as they enter the default cache key: secrets by name (never by value, which
 * rotates and must not be hashed into keys that outlive it), everything else resolved.
 */
function keyMaterial(request: TaskRequest, values: readonly Json[]): Json[] {
  return request.args.map((arg, i) => keyOf(arg, values[i]));
}

/** A resolved argument with its secrets (nested ones too) replaced by their names. */
function keyOf(arg: ArgInput, value: Json): Json {
  if ("secret" in arg) return { secret: arg.secret };
  if ("arr" in arg) return arg.arr.map((a, i) => keyOf(a, (value as Json[])[i]));
  if ("obj" in arg) {
    const fields = value as Record<string, Json>;
    return Object.fromEntries(Object.entries(arg.obj).map(([k, a]) => [k, keyOf(a, fields[k])]));
  }
  return value;
}

/** How far in the future a `storedAt` may be (clocks of two machines disagree) and still be trusted. */
const MAX_SKEW_MS = 60_000;

/**
 * The cached value under `key` if it was stored less than `expiresInSeconds` before `now`. An
 * entry stored more than a minute "in the future" was written by a clock far ahead, so its age
 * is unknown: it counts as expired rather than living until that clock's time comes.
 */
export async function readCache(
  store: CacheStore,
  key: string,
  expiresInSeconds: number,
  now: number,
): Promise<{ readonly value: Json } | undefined> {
  const entry = await store.get(key);
  if (!entry) return undefined;
  const age = now - entry.storedAt;
  if (age < -MAX_SKEW_MS || age >= expiresInSeconds * 1000) return undefined;
  return { value: entry.value };
}

/** The tail of the calls of each cache key in this process. */
const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after the calls of `key` before it in this process have ended, so concurrent calls
 * with one key run the task once: the first stores its entry and the others read it. Across
 * processes and Lambdas the key's lease does the same (see cache-lease.ts); this lock spares the
 * lease store the calls of one process.
 */
export function cacheLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (tails.get(key) ?? Promise.resolve()).then(fn, fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
