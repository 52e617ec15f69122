import { join, resolve } from "node:path";
import { ResultNotFoundError } from "../errors.ts";
import { readJsonFile, safeJoin, writeAtomic } from "../private/files.ts";
import type { ResultStore } from "./types.ts";

/** Options of the local stores. */
export interface LocalStoreOptions {
  /** The project folder the stores keep their files in. @default `.stepflow` in the current directory */
  readonly dir?: string;
}

/** The folder of the local stores. */
export function localDir(options: LocalStoreOptions = {}): string {
  return resolve(options.dir ?? ".stepflow");
}

/**
 * Results as JSON files: key `runs/<flow>/<run>/<state>/<index>.json` is the file
 * `<dir>/results/runs/<flow>/<run>/<state>/<index>.json`.
 */
export function localResultStore(options: LocalStoreOptions = {}): ResultStore {
  const root = join(localDir(options), "results");
  return {
    async get(key) {
      const value = await readJsonFile<Parameters<ResultStore["put"]>[1]>(safeJoin(root, key));
      if (value === undefined) {
        throw new ResultNotFoundError(
          `result \`${key}\` is not in \`${root}\`; it was deleted or never written, so run the flow again`,
        );
      }
      return value;
    },
    async put(key, value) {
      const text = JSON.stringify(value);
      await writeAtomic(safeJoin(root, key), text);
      return Buffer.byteLength(text);
    },
  };
}
