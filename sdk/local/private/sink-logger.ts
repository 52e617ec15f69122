import { Logger, type LogItem } from "@aws-lambda-powertools/logger";
import type { ConstructorOptions, LogItemExtraInput, LogItemMessage, LogLevel } from "@aws-lambda-powertools/logger/types";

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
    /** The level in force, read once: Powertools reads the environment (X-Ray trace id) for every line, printed or not. */
    private threshold: number | undefined = this.level;

    protected override createLogger(options?: ConstructorOptions): Logger {
      return new SinkLogger(options);
    }
    public override setLogLevel(level: LogLevel): void {
      super.setLogLevel(level);
      this.threshold = this.level;
    }
    protected override processLogItem(level: number, input: LogItemMessage, extra: LogItemExtraInput): void {
      // Nothing is buffered locally, so a line below the level is one Powertools would drop.
      // (Until the constructor has run, Powertools keeps lines for itself.)
      if (this.threshold === undefined || level >= this.threshold) super.processLogItem(level, input, extra);
    }
    protected override printLog(_level: number, log: LogItem): void {
      sink(log.getAttributes());
    }
  }
  return new SinkLogger({ serviceName: "stepflow", logLevel });
}
