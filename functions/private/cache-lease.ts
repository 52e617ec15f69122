/**
 * One run of a cached task per key across processes and Lambdas: the call that takes the key's
 * lease runs the task and stores the entry; the others poll the cache with backoff until the
 * entry appears, the lease is released (they take it), or its holder is found dead.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { TaskTimeoutError } from "../errors.ts";
import type { CacheLeaseStore, LeaseState } from "../stores/types.ts";
import type { RunLog } from "./run-log.ts";

/**
 * How long a lease may go unrenewed before a waiter takes it over. The holder renews it every
 * third of that, so only a holder that died (or whose store writes all failed) loses it.
 */
export const DEFAULT_LEASE_MS = 30_000;

/** The first and the longest pause between two looks at the cache while another call holds the lease. */
const POLL_MS = { first: 25, max: 1000 } as const;

/** One cached call that may have to wait for another. */
export interface LeasedCall<T> {
  readonly store: CacheLeaseStore;
  readonly key: string;
  readonly leaseMs: number;
  /** When waiting must end (a `performance.now()` time): the task's own timeout. */
  readonly waitUntil: number;
  /** The cache entry, if there is one now. */
  readonly peek: () => Promise<T | undefined>;
  /** Runs the task (it checks the cache again first) and stores its entry. */
  readonly compute: () => Promise<T>;
  readonly log: RunLog;
  /** What the timeout error says the call is. */
  readonly what: string;
}

/**
 * Runs `call.compute` once this call holds the key's lease, or returns the entry another holder
 * stored. A lease store that fails is no reason to fail the task: the call then runs unleased.
 */
export async function withCacheLease<T>(call: LeasedCall<T>): Promise<T> {
  const token = randomUUID();
  const claim = claimer(call, token);
  let pause: number = POLL_MS.first;
  for (;;) {
    const hit = await call.peek();
    if (hit !== undefined) return hit;
    let claimed: boolean;
    try {
      claimed = await claim();
    } catch (error) {
      call.log.warn("could not take the cache key's lease; running the task without it", { error: String(error) });
      return call.compute();
    }
    if (claimed) return hold(call, token);
    const left = call.waitUntil - performance.now();
    if (left <= 0) {
      throw new TaskTimeoutError(
        `${call.what} waited until its \`timeout\` for another call with the same cache key (\`${call.key}\`), which holds the key's lease and has not stored its result; retry the task, or raise \`timeout\``,
      );
    }
    await sleep(Math.min(left, pause * (0.5 + Math.random())));
    pause = Math.min(pause * 2, POLL_MS.max);
  }
}

/**
 * Tries to take the lease: create it, or take over a lease that has not changed (no renewal,
 * no new holder) for `leaseMs` as this process's monotonic clock measures since it first saw it.
 */
function claimer(call: LeasedCall<unknown>, token: string): () => Promise<boolean> {
  let seen: { state: LeaseState; since: number } | undefined;
  return async () => {
    if (await call.store.create(call.key, token)) return true;
    const state = await call.store.read(call.key);
    if (state === undefined) return call.store.create(call.key, token);
    if (seen?.state.token !== state.token || seen.state.beat !== state.beat) {
      seen = { state, since: performance.now() };
      return false;
    }
    if (performance.now() - seen.since < call.leaseMs) return false;
    const taken = await call.store.replace(call.key, state, { token, beat: 0 });
    if (taken) call.log.warn("took over the cache key's lease from a holder that stopped renewing it", { key: call.key });
    return taken;
  };
}

/** Runs the task holding the lease, renewing it, and gives it up whatever the task does. */
async function hold<T>(call: LeasedCall<T>, token: string): Promise<T> {
  let state: LeaseState = { token, beat: 0 };
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      const next = { token, beat: state.beat + 1 };
      try {
        if (await call.store.replace(call.key, state, next)) state = next;
        else {
          clearInterval(timer);
          call.log.warn("lost the cache key's lease (another call took it over); finishing the task anyway");
        }
      } catch (error) {
        call.log.warn("could not renew the cache key's lease", { error: String(error) });
      }
    });
  }, Math.max(1, Math.floor(call.leaseMs / 3)));
  timer.unref();
  try {
    return await call.compute();
  } finally {
    clearInterval(timer);
    await renewing;
    // A failed task releases at once, so a waiter takes the lease and runs the task itself.
    await call.store.release(call.key, token).catch((error: unknown) => {
      call.log.warn("could not release the cache key's lease; waiters take it over once it goes stale", {
        error: String(error),
      });
    });
  }
}
