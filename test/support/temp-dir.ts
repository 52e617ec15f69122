/** Temporary folders that the test file removes when its tests are done. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/**
 * Removes the folders made so far. test/setup.ts calls it after each file: with `isolate: false`
 * this module loads once per worker, so an `afterAll` registered here would run after its first
 * importing file only.
 */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A new empty folder under the OS temp folder (`<prefix>XXXXXX`), removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
