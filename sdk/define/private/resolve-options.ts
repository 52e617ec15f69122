/**
 * A task's options with their defaults filled in. Every malformed option of a task is reported at
 * once, in the same error class as the AWS bounds the flows that call it report (option-bounds.ts).
 */
import { toSeconds } from "../../duration.ts";
import { FlowDefinitionError, StepflowError } from "../../core/errors.ts";
import type { ResolvedTaskOptions } from "../../graph/options.ts";
import type { TaskOptions } from "../task-options.ts";

/**
 * Fills in the defaults of `o`.
 * @throws FlowDefinitionError listing every malformed option of task `name` (defined at `site`).
 */
export function resolveOptions(name: string, o: TaskOptions, site: string): ResolvedTaskOptions {
  const problems: string[] = [];
  const what = (field: string) => `task \`${name}\` option \`${field}\``;
  const count = (field: string, value: number | undefined, min: number, fallback: number) => {
    const v = value ?? fallback;
    if (Number.isInteger(v) && v >= min) return v;
    problems.push(`${what(field)} must be an integer >= ${min}, got ${v}`);
    return fallback;
  };
  const seconds = (field: string, duration: NonNullable<TaskOptions["timeout"]>) => {
    try {
      return toSeconds(duration, what(field));
    } catch (e) {
      if (!(e instanceof StepflowError)) throw e;
      problems.push(e.message);
      return 1;
    }
  };
  const backoff = o.backoff ?? 1;
  if (!(backoff >= 1)) problems.push(`${what("backoff")} must be a number >= 1, got ${backoff}`);
  const resolved: ResolvedTaskOptions = {
    retries: count("retries", o.retries, 0, 0),
    retryDelaySeconds: Math.max(1, Math.round(seconds("retryDelay", o.retryDelay ?? 1))),
    backoff,
    maxDelaySeconds: o.maxDelay === undefined ? undefined : Math.round(seconds("maxDelay", o.maxDelay)),
    jitter: o.jitter ?? false,
    retryOn: o.retryOn,
    timeoutSeconds: Math.max(1, Math.ceil(seconds("timeout", o.timeout ?? 300))),
    cache: o.cache && { key: o.cache.key, expiresInSeconds: seconds("cache.expiresIn", o.cache.expiresIn) },
    memory: count("memory", o.memory, 1, 256),
    tags: o.tags ?? {},
    maxConcurrency: count("maxConcurrency", o.maxConcurrency, 0, 40),
    large: o.large ?? false,
  };
  if (problems.length) throw new FlowDefinitionError(`task \`${name}\` (${site})`, problems);
  return resolved;
}
