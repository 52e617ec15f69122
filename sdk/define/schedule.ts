import { type Duration, toSeconds } from "../duration.ts";
import { ScheduleError } from "../core/errors.ts";
import { cronFieldProblem } from "./private/cron-fields.ts";
import type { Schedule } from "../graph/options.ts";

/** Options of a schedule. */
export interface ScheduleOptions {
  /**
   * IANA time zone the cron expression is read in. Setting it deploys an EventBridge Scheduler
   * schedule instead of an EventBridge rule (rules run in UTC only). @default UTC
   */
  readonly timezone?: string;
  /** Deploy the schedule disabled. @default true */
  readonly enabled?: boolean;
}

/**
 * A cron schedule in AWS's six-field form: minutes hours day-of-month month day-of-week year.
 * One of day-of-month and day-of-week must be `?`.
 * @example cron("0 12 * * ? *", { coin: "BTC" })
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 * @throws ScheduleError naming the field that is wrong.
 */
export function cron(
  expression: string,
  params: Record<string, unknown> = {},
  options: ScheduleOptions = {},
): Schedule {
  const fields = expression.trim().split(/\s+/);
  const fix = "write six fields: minutes hours day-of-month month day-of-week year, e.g. `0 12 * * ? *`";
  if (fields.length !== 6) {
    throw new ScheduleError(
      `cron expression \`${expression}\` has ${fields.length} fields; AWS needs 6: ${fix}`,
    );
  }
  const problem = cronFieldProblem(fields);
  if (problem) throw new ScheduleError(`cron expression \`${expression}\`: ${problem}`);
  return makeSchedule("cron", `cron(${fields.join(" ")})`, params, options);
}

/**
 * A schedule that runs every `every` (at least one minute, whole minutes).
 * @example rate("5 minutes", { coin: "DOGE" })
 */
export function rate(
  every: Duration,
  params: Record<string, unknown> = {},
  options: ScheduleOptions = {},
): Schedule {
  const seconds = toSeconds(every, "rate");
  if (seconds < 60 || seconds % 60 !== 0) {
    throw new ScheduleError(
      `rate \`${every}\` must be a whole number of minutes, at least 1 minute (EventBridge limit)`,
    );
  }
  const [value, unit] =
    seconds % 86400 === 0
      ? [seconds / 86400, "day"]
      : seconds % 3600 === 0
        ? [seconds / 3600, "hour"]
        : [seconds / 60, "minute"];
  return makeSchedule("rate", `rate(${value} ${unit}${value === 1 ? "" : "s"})`, params, options);
}

function makeSchedule(
  kind: Schedule["kind"],
  expression: string,
  params: Record<string, unknown>,
  o: ScheduleOptions,
): Schedule {
  if (o.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: o.timezone });
    } catch (cause) {
      throw new ScheduleError(
        `time zone \`${o.timezone}\` of \`${expression}\` is unknown; use an IANA name such as "Europe/Paris"`,
        {
          cause,
        },
      );
    }
  }
  return Object.freeze({
    kind,
    expression,
    params: { ...params },
    timezone: o.timezone,
    enabled: o.enabled ?? true,
  });
}
