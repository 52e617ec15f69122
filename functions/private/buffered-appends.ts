/**
 * Appends gathered per file and written together at the end of the event-loop turn: a local run
 * records two task-run lines per attempt, and on a chain of trivial tasks one `write` system call
 * per line cost more than the engine's own work for the state. Lines are still on disk before
 * the process waits for anything (the flush runs in the turn's check phase, before the loop
 * blocks on timers or I/O), at once when `flush` is called, before any read through
 * `flushAppends`, and on process exit (an `exit` listener, and every append made after it is
 * written through), so a record of every attempt that started is on disk when the process dies
 * mid-attempt, unless it is killed (SIGKILL) inside the very turn that started it.
 *
 * A line may be held as its value (`HeldLine`): serialised when it is written, and left out if it
 * was withdrawn before. The history withdraws an attempt's start line when the attempt's end
 * record (which carries its start) comes before the start was written: both would have reached
 * the disk in the same write, so the start line added no durability, only a serialisation.
 */
import { sharedAppendFiles } from "./append-files.ts";

/** Writers holding lines not yet written. */
const pending = new Set<BufferedAppends>();
let scheduled = false;
let exiting = false;
let listening = false;

/** Writes every line any writer of this process still holds (call before reading their files). */
export function flushAppends(): void {
  for (const w of [...pending]) w.flushQuietly();
}

function onTurnEnd(): void {
  scheduled = false;
  flushAppends();
}

function onExit(): void {
  exiting = true;
  flushAppends();
}

/**
 * A line held as its value: written as its JSON and a newline, unless `withdrawn` by then; with
 * `key`, as the JSON of `{ [key]: value }` (without an object made per line to hold it).
 */
export interface HeldLine {
  readonly value: unknown;
  readonly key?: string;
  withdrawn: boolean;
}

export class BufferedAppends {
  // Shared by every writer: a store per local run appended to the history index through a
  // descriptor of its own, opened per run and left open until the idle sweep.
  private readonly files = sharedAppendFiles;
  private readonly lines = new Map<string, (string | HeldLine)[]>();
  /** A write that failed in a scheduled flush: the next `append` or `flush` throws it. */
  private failure: unknown;

  /** Queues `text` for `file` (created if missing; its folder must exist when the lines are written). */
  append(file: string, text: string | HeldLine): void {
    this.throwFailure();
    if (exiting) {
      const line = typeof text === "string" ? text : textOf(text);
      if (line !== undefined) this.files.append(file, line);
      return;
    }
    let queued = this.lines.get(file);
    if (!queued) this.lines.set(file, (queued = []));
    queued.push(text);
    pending.add(this);
    if (!listening) {
      listening = true;
      process.on("exit", onExit);
    }
    if (!scheduled) {
      scheduled = true;
      // Unref'd: held lines never keep the process alive; the `exit` listener writes them.
      setImmediate(onTurnEnd).unref();
    }
  }

  /** Opens `file` again at its next write if it was removed or replaced since it was opened (see `AppendFiles.forgetIfReplaced`). */
  forgetIfReplaced(file: string): void {
    this.files.forgetIfReplaced(file);
  }

  /** Writes every held line now; throws the first write that failed (held lines of other files are still written). */
  flush(): void {
    this.flushQuietly();
    this.throwFailure();
  }

  /** Writes `file`'s held lines and closes it (its run has ended); a later append opens it again. */
  close(file: string): void {
    this.flushFile(file);
    this.files.close(file);
    this.throwFailure();
  }

  /** `flush` that keeps a failure for the next call instead of throwing it (a scheduled flush has no caller). */
  flushQuietly(): void {
    pending.delete(this);
    for (const file of [...this.lines.keys()]) this.flushFile(file);
  }

  private flushFile(file: string): void {
    const queued = this.lines.get(file);
    if (!queued) return;
    this.lines.delete(file);
    try {
      const parts: string[] = [];
      for (const line of queued) {
        const text = typeof line === "string" ? line : textOf(line);
        if (text !== undefined) parts.push(text);
      }
      if (parts.length > 0) this.files.append(file, parts.length === 1 ? parts[0] : parts);
    } catch (error) {
      this.failure ??= error;
    }
  }

  private throwFailure(): void {
    if (this.failure === undefined) return;
    const error = this.failure;
    this.failure = undefined;
    throw error;
  }
}

/** A held line's text, or `undefined` once it was withdrawn. */
function textOf(line: HeldLine): string | undefined {
  if (line.withdrawn) return undefined;
  return line.key === undefined ? `${JSON.stringify(line.value)}\n` : `{${JSON.stringify(line.key)}:${JSON.stringify(line.value)}}\n`;
}
