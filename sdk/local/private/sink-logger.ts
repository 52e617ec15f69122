/**
 * The log target of a local run's task handler: each line goes to the session's sink (progress
 * lines, `onEvent`) instead of being printed as JSON. Plain functions, not a Powertools Logger:
 * Powertools has no public hook to send lines elsewhere than stdout, and the handler needs only
 * the four level methods (`LogTarget`).
 */
import type { LogTarget } from "../../../functions/private/run-log.ts";

/** A log line as the sink receives it: `level` (`INFO`, ...), `message` and the line's keys. */
export type LogLine = Readonly<Record<string, unknown>>;

const RANK = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, SILENT: 4 } as const;
const LEVEL_NAMES = { debug: "DEBUG", info: "INFO", warn: "WARN", error: "ERROR" } as const;

/** A log target handing each line at `logLevel` or above to `sink`; a line below it costs nothing. */
export function sinkLogger(logLevel: keyof typeof RANK, sink: (line: LogLine) => void): LogTarget {
  const at =
    (level: "DEBUG" | "INFO" | "WARN" | "ERROR") =>
    (message: string, attributes?: Record<string, unknown>): void => {
      if (RANK[level] >= RANK[logLevel]) sink({ level, message, ...attributes });
    };
  const takes = (level: "debug" | "info" | "warn" | "error") => RANK[LEVEL_NAMES[level]] >= RANK[logLevel];
  return { debug: at("DEBUG"), info: at("INFO"), warn: at("WARN"), error: at("ERROR"), takes };
}
