import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { safeJoin, writeAtomic } from "../private/files.ts";
import { type LocalStoreOptions, localDir } from "./local-result-store.ts";
import type { CacheLeaseStore, LeaseState } from "./types.ts";

/**
 * A swap marker older than this was left by a process that died between taking it and letting
 * it go (a few milliseconds of file work): it is removed. Markers are compared by mtime, which
 * on one machine every process reads from the same clock.
 */
const STALE_SWAP_MS = 5000;

/**
 * Cache leases as files `<dir>/leases/<key>.lease` holding the holder's token and beat. A lease
 * is created whole and exclusively (written to a temp file, then hard-linked to its name, which
 * fails when the name exists: `wx` semantics without a moment where the file is empty); a
 * renewal or takeover of one seen state happens under a `<lease>.<token>.<beat>.swap` marker
 * created with `wx`, so two processes that saw the same stale lease cannot both take it over.
 */
export function localCacheLease(options: LocalStoreOptions = {}): CacheLeaseStore {
  const root = join(localDir(options), "leases");
  const file = (key: string) => safeJoin(root, `${key}.lease`);
  const read = async (key: string): Promise<LeaseState | undefined> => {
    try {
      const state = JSON.parse(await readFile(file(key), "utf8")) as Partial<LeaseState>;
      return typeof state.token === "string" && typeof state.beat === "number" ? { token: state.token, beat: state.beat } : undefined;
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  };
  return {
    async create(key, token) {
      const path = file(key);
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, JSON.stringify({ token, beat: 0 }));
      try {
        await link(tmp, path);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
      } finally {
        await unlink(tmp);
      }
    },
    read,
    async replace(key, seen, next) {
      const swap = `${file(key)}.${seen.token}.${seen.beat}.swap`;
      if (!(await takeMarker(swap))) return false;
      try {
        const now = await read(key);
        if (now?.token !== seen.token || now.beat !== seen.beat) return false;
        await writeAtomic(file(key), JSON.stringify(next));
        return true;
      } finally {
        await unlink(swap).catch(() => undefined);
      }
    },
    async release(key, token) {
      // A holder outlives its lease only when stalled past it; then the taker's lease stands.
      if ((await read(key))?.token === token) await unlink(file(key)).catch(ignoreMissing);
    },
  };
}

/** Creates `path` exclusively: `false` when another process holds it (a stale one is removed first). */
async function takeMarker(path: string): Promise<boolean> {
  for (let tries = 0; tries < 2; tries++) {
    try {
      await writeFile(path, String(process.pid), { flag: "wx" });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age < STALE_SWAP_MS) return false;
      await unlink(path).catch(ignoreMissing);
    }
  }
  return false;
}

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

function ignoreMissing(error: unknown): void {
  if (!missing(error)) throw error;
}
