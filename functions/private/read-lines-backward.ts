/** Reads a text file's lines from the end, so the newest entries of an append-only log come first. */
import { open } from "node:fs/promises";

const CHUNK = 64 * 1024;

/**
 * Yields the lines of `file` last to first, reading it in 64 KB chunks from its end; a caller
 * that stops early never reads the rest. Empty lines are skipped; a missing file yields nothing.
 */
export async function* linesBackward(file: string): AsyncGenerator<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    let position = (await handle.stat()).size;
    // Bytes of the line cut by the previous chunk boundary (a line may hold multi-byte characters).
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      const buffer = carry.length ? Buffer.concat([chunk, carry]) : chunk;
      const first = buffer.indexOf(10);
      if (first === -1) {
        carry = buffer;
        continue;
      }
      carry = buffer.subarray(0, first);
      const lines = buffer.subarray(first + 1).toString("utf8").split("\n");
      for (let i = lines.length - 1; i >= 0; i--) if (lines[i]) yield lines[i];
    }
    if (carry.length) yield carry.toString("utf8");
  } finally {
    await handle.close();
  }
}
