import { join } from "node:path";
import { SecretNotFoundError, SecretsFileError } from "../errors.ts";
import { readJsonFile } from "../private/files.ts";
import { type LocalStoreOptions, localDir } from "./local-result-store.ts";
import type { SecretStore } from "./types.ts";

/** Options of the local secret store. */
export interface LocalSecretStoreOptions extends LocalStoreOptions {
  /** Where `STEPFLOW_SECRET_<NAME>` variables are read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The environment variable that holds a secret locally: `STEPFLOW_SECRET_<NAME>`. */
export function secretEnvName(name: string): string {
  return `STEPFLOW_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * Secrets for local runs: the environment variable `STEPFLOW_SECRET_<NAME>` (name upper-cased,
 * other characters as `_`), else the key `<name>` of `<dir>/secrets.json` (git-ignored).
 * Both are read on every call, so edits apply to the next task.
 */
export function localSecretStore(options: LocalSecretStoreOptions = {}): SecretStore {
  const env = options.env ?? process.env;
  const file = join(localDir(options), "secrets.json");
  return {
    async get(name) {
      const fromEnv = env[secretEnvName(name)];
      if (fromEnv !== undefined) return fromEnv;
      const secrets = await readSecretsFile(file);
      const value = secrets && Object.hasOwn(secrets, name) ? secrets[name] : undefined;
      if (typeof value === "string") return value;
      if (value !== undefined) {
        const type = value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`;
        throw new SecretsFileError(
          `secret \`${name}\` in \`${file}\` is ${type}, not a string; write its value as a JSON string, e.g. \`"${name}": ${JSON.stringify(String(JSON.stringify(value)))}\``,
        );
      }
      throw new SecretNotFoundError(
        `secret \`${name}\` is not set; set the environment variable \`${secretEnvName(name)}\`, or add \`"${name}": "<value>"\` to \`${file}\``,
      );
    },
  };
}

/** `secrets.json` as an object, or `undefined` when it does not exist. */
async function readSecretsFile(file: string): Promise<Record<string, unknown> | undefined> {
  let secrets: unknown;
  try {
    secrets = await readJsonFile<unknown>(file);
  } catch (cause) {
    throw new SecretsFileError(
      `\`${file}\` is not valid JSON (${(cause as Error).cause instanceof Error ? ((cause as Error).cause as Error).message : (cause as Error).message}); fix it so it reads like \`{ "slack-webhook": "https://..." }\``,
      { cause },
    );
  }
  if (secrets === undefined) return undefined;
  if (secrets === null || typeof secrets !== "object" || Array.isArray(secrets)) {
    throw new SecretsFileError(
      `\`${file}\` must hold a JSON object of secret names and string values, like \`{ "slack-webhook": "https://..." }\``,
    );
  }
  return secrets as Record<string, unknown>;
}
