import type { RunEvent } from "../../local/index.ts";
import { formatMs } from "./format.ts";
import { isComplete, ProgressModel, type TaskStats } from "./progress-model.ts";

/** Where progress goes: a writable with an optional TTY flag (stderr). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Options of `progressPrinter`. */
export interface ProgressOptions {
  /**
   * Redraw running tasks and Map counts in place at the bottom (a terminal); otherwise every
   * line is final, with no ANSI codes (pipes, CI, `NO_COLOR`). @default `out.isTTY`
   */
  readonly live?: boolean;
  /** Retries already skip their delay (`--fast-retries`): no hint to add it. @default false */
  readonly fastRetries?: boolean;
  /** Print the summary table when the root run ends. @default true */
  readonly summary?: boolean;
}

/**
 * Whether progress on `out` may redraw in place: a terminal, unless `NO_COLOR` is set or the
 * terminal is `dumb` (no cursor movement).
 */
export function liveOutput(out: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return out.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

/** Non-live output prints a Map's count at most this many times before its end. */
const MAP_STEPS = 4;
/** A local retry delay longer than this prints how to skip it. */
const LONG_RETRY_MS = 3000;
/** Live lines drawn at most (the rest are counted in one line). */
const LIVE_LINES = 8;
/** Live redraws that only move counters happen at most this often. */
const REDRAW_MS = 80;

/**
 * Prints a local run's live progress on `out`, in the order things happen: a start line per
 * task call, a line per outcome (failures with their error, retries with their delay), every
 * task of a Map chain with its own `[done/total]` count, subflow runs labelled by their params,
 * the tasks' own log lines indented, and a summary table when the run ends. On a terminal the
 * running tasks and Map counts are redrawn in place below the finished lines.
 */
export function progressPrinter(out: ProgressStream, options: ProgressOptions = {}): (event: RunEvent) => void {
  const model = new ProgressModel();
  const screen = new Screen(out, options.live ?? out.isTTY === true, model);
  let hinted = options.fastRetries ?? false;

  let ended = false;
  return (e) => {
    // Attempts that outlive the run (cut short by its end) are in the summary as `running`.
    if (ended) return;
    switch (e.type) {
      case "run-started": {
        const label = model.startRun(e);
        screen.line(e.parentRunId ? `  ▶ subflow ${label}  ${e.runId}` : `▶ ${e.flow}  ${e.runId}`);
        break;
      }
      case "task-started": {
        const s = model.apply(e);
        if (!s.mapped) screen.line(`  ▸ ${model.name(e)}`, true);
        else if (s.attempts === 1) screen.line(`  ▸ ${s.label} ${count(s)}`, true);
        break;
      }
      case "task-succeeded": {
        const s = model.apply(e);
        if (!s.mapped) screen.line(`  ✓ ${model.name(e).padEnd(28)} ${formatMs(e.durationMs)}${e.cached ? " (cached)" : ""}`);
        else mapStep(s);
        break;
      }
      case "task-failed": {
        const s = model.apply(e);
        screen.line(`  ✗ ${model.name(e).padEnd(28)} ${formatMs(e.durationMs)}  ${e.error.name}: ${e.error.message}`);
        if (s.mapped) mapStep(s);
        break;
      }
      case "task-retrying": {
        model.apply(e);
        const skip = !hinted && e.delayMs > LONG_RETRY_MS ? "  (add `--fast-retries` to skip retry delays in local runs)" : "";
        hinted ||= skip !== "";
        screen.line(`    ↻ retrying ${model.name({ ...e, attempt: 0 })} in ${formatMs(e.delayMs)}${skip}`);
        break;
      }
      case "map-progress":
        for (const s of model.mapTotal(e)) mapStep(s);
        screen.refresh();
        break;
      case "log":
        screen.line(`      ${e.level === "info" ? "" : `${e.level}: `}${e.message}`);
        break;
      case "warning":
        screen.line(`  ! ${e.message}`);
        break;
      case "run-finished":
        if (e.parentRunId) {
          screen.line(`  ◀ subflow ${model.runLabel(e.runId)} ${e.status} in ${formatMs(e.durationMs)}`);
        } else {
          ended = true;
          for (const s of model.tasks.values()) if (s.mapped && !s.finished) finishMap(s);
          screen.clear();
          if (options.summary !== false && model.tasks.size > 0) out.write(`\n${indent(model.summary())}\n\n`);
        }
        break;
    }
  };

  /** A Map state's count: its end once, and (not live) each quarter on the way. */
  function mapStep(s: TaskStats): void {
    if (s.finished) return;
    if (isComplete(s)) return finishMap(s);
    if (screen.live || !s.total) return screen.refresh();
    const step = Math.floor(((s.done + s.failed) * MAP_STEPS) / s.total);
    if (step > s.printedStep) {
      s.printedStep = step;
      screen.line(`  … ${s.label} ${count(s)}`);
    }
  }

  function finishMap(s: TaskStats): void {
    s.finished = true;
    const mark = s.failed > 0 ? "✗" : "✓";
    const cached = s.cached > 0 ? `  (${s.cached} cached)` : "";
    screen.line(`  ${mark} ${`${s.label} ${count(s)}`.padEnd(28)} ${formatMs((s.ended ?? Date.now()) - s.started)}${cached}`);
  }
}

/** `[12/30]`, `[12/30, 2 failed]`, `[12/?]` before the Map's length is known. */
function count(s: TaskStats): string {
  const failed = s.failed > 0 ? `, ${s.failed} failed` : "";
  return `[${s.done}/${s.total ?? "?"}${failed}]`;
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}

/**
 * The output: final lines, and on a live terminal an area below them that lists what is
 * running and is erased and redrawn as things change.
 */
class Screen {
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: ProgressStream,
    readonly live: boolean,
    private readonly model: ProgressModel,
  ) {}

  /** Prints a final line; a start line only when not live (live, the running area shows it). */
  line(text: string, start = false): void {
    if (this.live && start) return this.refresh(true);
    if (!this.live) {
      this.out.write(`${text}\n`);
      return;
    }
    this.out.write(`${this.erase()}${text}\n${this.area()}`);
  }

  /** Redraws the running area (throttled unless `now`). */
  refresh(now = false): void {
    if (!this.live) return;
    const t = Date.now();
    if (!now && t - this.lastDraw < REDRAW_MS) return;
    this.out.write(`${this.erase()}${this.area()}`);
  }

  clear(): void {
    if (this.live) this.out.write(this.erase());
  }

  private erase(): string {
    const text = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : "";
    this.drawn = 0;
    return text;
  }

  private area(): string {
    const lines: string[] = [];
    const now = Date.now();
    for (const s of this.model.tasks.values()) {
      if (s.mapped && !s.finished && (s.running.size > 0 || s.total === undefined || s.done + s.failed < s.total))
        lines.push(`  … ${s.label} ${count(s)}`);
      else if (!s.mapped && s.running.size > 0)
        lines.push(`  ⋯ ${s.label}  running ${formatMs(now - Math.min(...s.running.values()))}`);
    }
    const shown = lines.length > LIVE_LINES ? [...lines.slice(0, LIVE_LINES - 1), `  … and ${lines.length - LIVE_LINES + 1} more`] : lines;
    this.drawn = shown.length;
    this.lastDraw = now;
    return shown.map((l) => `${l}\n`).join("");
  }
}
