/**
 * A definition's options once resolved (durations in seconds, defaults filled in): plain data the
 * define API produces and the compiler, local runner and infra read.
 */
import type { RunStatus } from "../core/status.ts";

/** A task's options with every duration in seconds and defaults filled in. */
export interface ResolvedTaskOptions {
  readonly retries: number;
  readonly retryDelaySeconds: number;
  readonly backoff: number;
  readonly maxDelaySeconds: number | undefined;
  readonly jitter: boolean;
  readonly retryOn: readonly string[] | undefined;
  readonly timeoutSeconds: number;
  readonly cache:
    | { readonly key?: (...args: never[]) => string; readonly expiresInSeconds: number }
    | undefined;
  readonly memory: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly maxConcurrency: number;
  readonly large: boolean;
}

/** Options of a flow with durations in seconds and defaults filled in. */
export interface ResolvedFlowOptions {
  readonly schedules: readonly Schedule[];
  readonly notify: readonly Notifier[];
  readonly timeoutSeconds: number | undefined;
  readonly description: string;
  readonly type: "STANDARD" | "EXPRESS";
}

/** A schedule: an EventBridge cron or rate expression plus the params each run gets. */
export interface Schedule {
  readonly kind: "cron" | "rate";
  /** The EventBridge expression, e.g. `cron(0 12 * * ? *)` or `rate(5 minutes)`. */
  readonly expression: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly timezone: string | undefined;
  readonly enabled: boolean;
}

/** A notification sent when a run of the flow reaches one of `on`. */
export interface Notifier {
  readonly kind: "slack";
  /** Name of the secret holding the Slack incoming-webhook URL. */
  readonly secret: string;
  readonly on: readonly RunStatus[];
}
