/**
 * The retry policy of one Task state call, as Step Functions applies a state's `Retry`: the
 * retriers are the ones the compiler emitted (the compile index's `retry`, not read back from the
 * definition), and each counts its own retries, as the States Language says.
 */
import type { Retrier } from "../../compile/asl.ts";

/** Defaults of the States Language for a retrier's fields. */
const DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/**
 * Errors no retry can fix that only a local run meets: a bad local secrets file (on AWS, secrets
 * come from Secrets Manager). They fail the state at once instead of after every retry delay.
 */
const LOCAL_ONLY_UNFIXABLE: ReadonlySet<string> = new Set(["SecretsFileError"]);

/** Whether retrier error name `e` matches an error named `name` (`States.TaskFailed` is every error but a timeout). */
function matches(e: string, name: string): boolean {
  return e === name || e === "States.ALL" || (e === "States.TaskFailed" && name !== "States.Timeout");
}

/** The retriers of one state call and the retries each has used. */
export class RetryBudget {
  private readonly used: number[];

  constructor(private readonly retriers: readonly Retrier[]) {
    this.used = retriers.map(() => 0);
  }

  /**
   * What follows an attempt that failed with `error`: the first retrier whose `ErrorEquals`
   * matches decides, retrying while its own count is below `MaxAttempts`.
   * @param fast every delay zero (`fastRetries`)
   * @returns the delay before the next attempt in milliseconds (drawn under full jitter), or
   * `undefined` when the error fails the state.
   */
  next(error: unknown, fast: boolean): number | undefined {
    const name = error instanceof Error ? error.name : "Error";
    if (LOCAL_ONLY_UNFIXABLE.has(name)) return undefined;
    const i = this.retriers.findIndex((r) => r.ErrorEquals.some((e) => matches(e, name)));
    if (i < 0) return undefined;
    const r = this.retriers[i];
    const done = this.used[i];
    if (done >= (r.MaxAttempts ?? DEFAULTS.MaxAttempts)) return undefined;
    this.used[i] = done + 1;
    if (fast) return 0;
    const seconds = (r.IntervalSeconds ?? DEFAULTS.IntervalSeconds) * (r.BackoffRate ?? DEFAULTS.BackoffRate) ** done;
    const ms = Math.min(seconds, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY) * 1000;
    return r.JitterStrategy === "FULL" ? Math.round(Math.random() * ms) : ms;
  }
}
