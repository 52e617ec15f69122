/** File helpers of the local stores. */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { StepflowError } from "../../sdk/core/errors.ts";

/** Writes `text` to `file` atomically (temp file + rename), so readers never see half a file. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Reads and parses a JSON file, or `undefined` when it does not exist. */
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new StepflowError(`\`${file}\` is not valid JSON; fix or delete it`, { cause });
  }
}

/** `root/key`, refusing keys that would escape `root`. */
export function safeJoin(root: string, key: string): string {
  const rel = normalize(key);
  if (isAbsolute(rel) || rel === ".." || rel.startsWith(`..${sep}`)) {
    throw new StepflowError(`key \`${key}\` points outside the store folder \`${root}\`; use a relative key`);
  }
  return join(root, rel);
}
