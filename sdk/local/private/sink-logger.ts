import { Logger, type LogItem } from "@aws-lambda-powertools/logger";
import type { ConstructorOptions } from "@aws-lambda-powertools/logger/types";

/** A log line as the sink receives it: Powertools' attributes (`level`, `message`, keys, extras). */
export type LogLine = Readonly<Record<string, unknown>>;

/**
 * A Powertools Logger that hands each line to `sink` instead of printing JSON, so a local run can
 * show a task's `console.*` output as progress lines. Child loggers (one per task invocation)
 * hand their lines to the same sink.
 */
export function sinkLogger(
  logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT",
  sink: (line: LogLine) => void,
): Logger {
  class SinkLogger extends Logger {
    protected override createLogger(options?: ConstructorOptions): Logger {
      return new SinkLogger(options);
    }
    protected override printLog(_level: number, log: LogItem): void {
      sink(log.getAttributes());
    }
  }
  return new SinkLogger({ serviceName: "stepflow", logLevel });
}
