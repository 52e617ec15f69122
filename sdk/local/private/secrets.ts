import { SecretNotFoundError } from "../../../functions/errors.ts";
import { type SecretStore } from "../../../functions/stores/types.ts";

/** Options of `localSecrets`. */
export interface LocalSecretsOptions {
  /** Values that take precedence over `base`. */
  readonly overrides: Readonly<Record<string, string>>;
  /** `empty`: a secret `base` does not have is `""`, and `warn` is told once per name. */
  readonly missing: "fail" | "empty";
  readonly warn: (message: string) => void;
}

/** The secret store of a local run: `overrides`, then `base`, then (optionally) `""`. */
export function localSecrets(base: SecretStore, o: LocalSecretsOptions): SecretStore {
  const warned = new Set<string>();
  return {
    async get(name) {
      if (Object.hasOwn(o.overrides, name)) return o.overrides[name];
      try {
        return await base.get(name);
      } catch (error) {
        if (o.missing === "fail" || !(error instanceof SecretNotFoundError)) throw error;
        if (!warned.has(name)) {
          warned.add(name);
          o.warn(`${error.message}; this local run passes "" instead`);
        }
        return "";
      }
    },
  };
}
