import { StepflowError } from "./core/errors.ts";

/** A duration: seconds as a number, or a string such as `"90s"`, `"5 minutes"`, `"1 day"`. */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  millisecond: 0.001,
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  d: 86400,
  day: 86400,
  w: 604800,
  week: 604800,
};

const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+?)s?\s*$/i;

/**
 * Converts a duration to seconds.
 * @example toSeconds("5 minutes") // 300
 * @throws StepflowError when the string is not `<number> <unit>`.
 */
export function toSeconds(duration: Duration, what = "duration"): number {
  if (typeof duration === "number") {
    if (!Number.isFinite(duration) || duration < 0) {
      throw new StepflowError(`${what} \`${duration}\` must be a non-negative number of seconds`);
    }
    return duration;
  }
  const match = PATTERN.exec(duration);
  const unit = match ? UNIT_SECONDS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new StepflowError(
      `${what} \`${duration}\` is not a duration; write seconds as a number or a string like "90s", "5 minutes", "2 hours"`,
    );
  }
  return Number(match[1]) * unit;
}
