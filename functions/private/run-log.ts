/**
 * Structured logs of one invocation: every line carries the flow, run id, task, state, map
 * index and attempt, and never a secret value. `console.*` calls made inside a task function
 * are captured into the same logger (Prefect's `log_prints`) through the task's context (the
 * AsyncLocalStorage of sdk/core/task-context.ts), so no per-run state lives at module scope.
 */
import { format } from "node:util";
import { currentTaskConsole, runInTaskContext, type TaskContext } from "../../sdk/core/task-context.ts";
import { redact } from "./redact.ts";
import type { TaskLogLine } from "../stores/types.ts";

type Level = "debug" | "info" | "warn" | "error";

/**
 * Where a run log's lines go: on Lambda a Powertools `Logger` (which has these methods, and the
 * Lambda context `addContext` put on it); in a local run, a sink of the session (sink-logger.ts).
 */
export interface LogTarget {
  debug(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
  /**
   * Whether a line at `level` goes anywhere; `false` lets a line that nobody keeps skip building
   * its attributes (two lines per task attempt). @default every line goes
   */
  readonly takes?: (level: Level) => boolean;
}

/** A logger bound to one invocation. */
export type RunLog = Record<Level, (message: string, extra?: Record<string, unknown>) => void>;

// True only during the synchronous call into the target, so that a logger printing through the
// global console (Powertools with POWERTOOLS_DEV) is not captured again.
let emitting = false;

/**
 * A logger whose lines carry `context` (the keys on every line) and have every value in `secrets`
 * redacted. `keep`, when given, also receives the attempt's own lines (its `console.*` output, and
 * warnings), redacted, to store beside the attempt.
 */
export function createRunLog(
  base: LogTarget,
  context: TaskContext,
  secrets: ReadonlySet<string>,
  keep?: (context: TaskContext, line: TaskLogLine) => void,
): RunLog {
  return new InvocationLog(base, context, secrets, keep);
}

/**
 * One per invocation, so a class: its methods are shared, where closures made per invocation cost
 * an allocation each (and a `name` definition each when run through tsx) on every task attempt.
 */
class InvocationLog implements RunLog {
  constructor(
    private readonly base: LogTarget,
    // The context goes on each line rather than into a child logger: lines of concurrent runs stay
    // apart, and the Lambda context `addContext` put on `base` (request id, cold start) is on them.
    private readonly context: TaskContext,
    private readonly secrets: ReadonlySet<string>,
    private readonly keep: ((context: TaskContext, line: TaskLogLine) => void) | undefined,
  ) {}

  debug(message: string, extra?: Record<string, unknown>): void {
    this.emit("debug", message, extra);
  }

  info(message: string, extra?: Record<string, unknown>): void {
    this.emit("info", message, extra);
  }

  warn(message: string, extra?: Record<string, unknown>): void {
    this.emit("warn", message, extra);
  }

  error(message: string, extra?: Record<string, unknown>): void {
    this.emit("error", message, extra);
  }

  private emit(level: Level, message: string, extra: Record<string, unknown> | undefined): void {
    const { secrets, keep } = this;
    const kept = keep !== undefined && (level === "warn" || extra?.source === "console");
    if (!kept && this.base.takes?.(level) === false) return;
    // Most tasks read no secret: their lines skip the JSON round trip of redaction.
    const redacting = secrets.size > 0;
    const text = redacting ? redact(message, secrets) : message;
    const clean =
      extra && redacting ? (JSON.parse(redact(JSON.stringify(extra), secrets)) as Record<string, unknown>) : extra;
    if (kept) keep(this.context, { level, message: text, time: new Date().toISOString() });
    emitting = true;
    try {
      this.base[level](text, clean ? { ...this.context, ...clean } : { ...this.context });
    } finally {
      emitting = false;
    }
  }
}

const FROM_CONSOLE = { source: "console" } as const;

/** Runs `fn` in the task's `context`, with its `console.*` lines captured into `log`. */
export function withConsoleCapture<T>(log: RunLog, context: TaskContext, fn: () => T, taskFn?: object): T {
  installConsoleCapture();
  // An argument, not a named constant: under tsx each named closure costs a `__name` call, per attempt.
  return runInTaskContext(context, fn, (level, message) => log[level](message, FROM_CONSOLE), taskFn);
}

const CONSOLE_LEVELS: Readonly<Record<"log" | "info" | "debug" | "warn" | "error", Level>> = {
  log: "info",
  info: "info",
  debug: "debug",
  warn: "warn",
  error: "error",
};
let installed = false;

function installConsoleCapture(): void {
  if (installed) return;
  installed = true;
  for (const [method, level] of Object.entries(CONSOLE_LEVELS) as [keyof typeof CONSOLE_LEVELS, Level][]) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const sink = currentTaskConsole();
      if (!sink || emitting) return original(...args);
      sink(level, format(...args));
    };
  }
}
