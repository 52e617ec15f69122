import type { RunEvent } from "../../local/index.ts";
import { formatMs } from "./format.ts";

/** Where progress goes: a writable with an optional TTY flag (stderr). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Non-TTY output prints a Map's progress at most this many times (plus its end). */
const MAP_STEPS = 4;

/**
 * Prints a local run's live progress, one line per task attempt: state, attempt, duration;
 * Map items as `b [37/120]` (rewritten in place on a terminal, a few lines otherwise); retries
 * with their delay; the task's own log lines indented under it.
 */
export function progressPrinter(out: ProgressStream, rootFlow: string): (event: RunEvent) => void {
  const tty = out.isTTY === true;
  let open = false; // a progress line is being rewritten in place
  const printed = new Map<string, number>();
  const line = (text: string) => {
    if (open) out.write("\r\x1b[2K");
    open = false;
    out.write(`${text}\n`);
  };
  const name = (flow: string, state: string, index?: number, attempt = 0) =>
    `${flow === rootFlow ? "" : `${flow}/`}${state}${index === undefined ? "" : `[${index}]`}${attempt > 0 ? ` (attempt ${attempt + 1})` : ""}`;

  return (e) => {
    switch (e.type) {
      case "run-started":
        line(e.parentRunId ? `  ▶ subflow ${e.flow}  ${e.runId}` : `▶ ${e.flow}  ${e.runId}`);
        return;
      case "task-succeeded":
        if (e.index === undefined)
          line(
            `  ✓ ${name(e.flow, e.state, undefined, e.attempt).padEnd(28)} ${formatMs(e.durationMs)}${e.cached ? " (cached)" : ""}`,
          );
        return;
      case "task-failed":
        line(
          `  ✗ ${name(e.flow, e.state, e.index, e.attempt).padEnd(28)} ${formatMs(e.durationMs)}  ${e.error.name}: ${e.error.message}`,
        );
        return;
      case "task-retrying":
        line(`    ↻ retrying ${name(e.flow, e.state, e.index)} in ${formatMs(e.delayMs)}`);
        return;
      case "map-progress": {
        const total = e.total === undefined ? "?" : String(e.total);
        const text = `  … ${name(e.flow, e.task)} [${e.done}/${total}]${e.failed ? ` ${e.failed} failed` : ""}`;
        const finished = e.total !== undefined && e.done + e.failed >= e.total;
        if (tty) {
          if (open) out.write("\r\x1b[2K");
          out.write(finished ? `${text}\n` : text);
          open = !finished;
          return;
        }
        const step = e.total ? Math.floor((e.done * MAP_STEPS) / e.total) : 0;
        const key = `${e.runId}/${e.state}`;
        if (finished || printed.get(key) !== step) {
          printed.set(key, step);
          line(text);
        }
        return;
      }
      case "log":
        line(`      ${e.level === "info" ? "" : `${e.level}: `}${e.message}`);
        return;
      case "warning":
        line(`  ! ${e.message}`);
        return;
      case "run-finished":
        if (e.parentRunId) line(`  ◀ subflow ${e.flow} ${e.status} in ${formatMs(e.durationMs)}`);
        return;
      default:
        return;
    }
  };
}
