/**
 * Definitions the local engine has validated before, remembered by content hash in
 * `node_modules/.cache/stepflow/validated-asl/` of the working directory. aws-local-stepfunctions
 * validates a definition in the `StateMachine` constructor (asl-validator), which costs about
 * 0.7 s of CPU on every CLI call; a definition that passed once passes again, so a known one is
 * built without it. A definition is only remembered after it passed, so an invalid one is
 * rejected every time. The engine's version is part of the hash: a new validator checks again.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const CACHE = join("node_modules", ".cache", "stepflow", "validated-asl");

let engineVersion: string | undefined;

/** Whether `definition` was validated before, and how to remember that it passed. */
export function validatedBefore(definition: unknown): { readonly known: boolean; remember(): void } {
  const dir = existsSync("node_modules") ? CACHE : undefined;
  if (!dir) return { known: false, remember: () => undefined };
  const hash = createHash("sha256").update(version()).update(JSON.stringify(definition)).digest("hex");
  const file = join(dir, hash);
  return {
    known: existsSync(file),
    remember: () => {
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, "");
      } catch {
        // A read-only checkout only loses the speed-up.
      }
    },
  };
}

function version(): string {
  if (engineVersion === undefined) {
    try {
      const main = createRequire(import.meta.url).resolve("aws-local-stepfunctions");
      let dir = dirname(main);
      while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
      engineVersion = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      engineVersion = "unknown";
    }
  }
  return engineVersion;
}
