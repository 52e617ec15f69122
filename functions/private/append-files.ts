/**
 * Synchronous appends to files kept open between writes. `appendFileSync` opens, writes and
 * closes the file on every call; a local run appends two history lines per task attempt, and
 * the open and close were most of that cost. Each append is still one `write` on a descriptor
 * opened with `O_APPEND`, done when the call returns (so also from an `exit` handler), and lines
 * of concurrent processes never interleave within a line.
 */
import { closeSync, fstatSync, openSync, statSync, writeSync } from "node:fs";

/** A descriptor not written for this long (between one and two periods) is closed. */
const IDLE_MS = 1000;

export class AppendFiles {
  private readonly open = new Map<string, number>();
  private wrote = false;
  private sweeper: NodeJS.Timeout | undefined;

  /** Appends `text` (or its parts, in order, in the same write) to `file` (created if missing; its folder must exist). */
  append(file: string, text: string | readonly string[]): void {
    const data = typeof text === "string" ? Buffer.from(text) : encode(text);
    try {
      this.write(this.descriptor(file), data);
    } catch {
      // The file may have been removed or replaced since it was opened: once more on a fresh descriptor.
      this.close(file);
      this.write(this.descriptor(file), data);
    }
    this.wrote = true;
  }

  /** Closes `file` if it is open (its run has ended); a later append opens it again. */
  close(file: string): void {
    const fd = this.open.get(file);
    if (fd === undefined) return;
    this.open.delete(file);
    closeSync(fd);
    if (this.open.size === 0) this.stopSweeper();
  }

  /**
   * Closes `file`'s descriptor if the file it writes is no longer at that path (removed, or
   * replaced), so the next append opens the file there: writing to a removed file raises no
   * error, and a folder removed and made again under a long-lived process would lose every line.
   * Two `stat` calls; writers that keep a file open across runs call it once per run.
   */
  forgetIfReplaced(file: string): void {
    const fd = this.open.get(file);
    if (fd === undefined) return;
    try {
      const held = fstatSync(fd);
      const there = statSync(file, { throwIfNoEntry: false });
      if (there && held.nlink > 0 && there.ino === held.ino && there.dev === held.dev) return;
    } catch {
      // A descriptor that cannot be read is not worth keeping either.
    }
    this.close(file);
  }

  /** Closes every open file. */
  closeAll(): void {
    for (const file of [...this.open.keys()]) this.close(file);
  }

  private descriptor(file: string): number {
    let fd = this.open.get(file);
    if (fd === undefined) {
      fd = openSync(file, "a");
      this.open.set(file, fd);
      // Unref'd: an idle store never keeps the process alive, and holds no descriptor for long.
      this.sweeper ??= setInterval(() => this.sweep(), IDLE_MS).unref();
    }
    return fd;
  }

  private write(fd: number, data: Buffer): void {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
  }

  private sweep(): void {
    if (this.wrote) this.wrote = false;
    else this.closeAll();
  }

  private stopSweeper(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

/** The buffer `encode` reuses, kept up to this size: a larger write gets a buffer of its own. */
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;
let scratch = Buffer.alloc(0);

/**
 * `parts` as one UTF-8 buffer, each encoded straight into it: joining a flush's thousand history
 * lines into one string first cost three times as much as serialising them. The buffer is reused
 * by the next call (the write that takes it is synchronous): a fresh one per flush (three bytes per
 * code unit, 420 KB for a 500-task chain's lines) is memory outside the heap that V8 counts towards
 * its next collection; the history's path of a 500-task chain, timed without the engine, took 0.7x
 * the time with the buffer reused.
 */
function encode(parts: readonly string[]): Buffer {
  let units = 0;
  for (const part of parts) units += part.length;
  // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, two units, takes 4).
  const bound = units * 3;
  let data = scratch;
  if (bound > data.length) {
    data = Buffer.allocUnsafe(bound);
    if (bound <= SCRATCH_MAX_BYTES) scratch = data;
  }
  let at = 0;
  for (const part of parts) at += data.write(part, at);
  return data.subarray(0, at);
}

/**
 * The descriptors every long-lived writer of this process shares (the history's writers, the local
 * runs' executions log): files kept open between runs, each open once, one idle sweep for all.
 */
export const sharedAppendFiles = new AppendFiles();
