import type { SecretsManagerClient, SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import { StepflowError } from "../../sdk/core/errors.ts";
import { SecretNotFoundError } from "../errors.ts";
import { denialOf, isAccessDenied } from "../private/access-denied.ts";
import { lazy } from "../private/lazy.ts";
import type { SecretStore } from "./types.ts";
import { secretPrefix } from "../../sdk/core/deploy-names.ts";

/** Options of the Secrets Manager secret store. */
export interface AwsSecretStoreOptions {
  /** Prefix of secret names in Secrets Manager (env `STEPFLOW_SECRET_PREFIX`). @default "stepflow/" */
  readonly prefix?: string;
  /** How long a value is reused before it is read again (rotation takes effect after this). @default 300 */
  readonly ttlSeconds?: number;
  /** A ready client (tests). @default a client built from `clientConfig` on first use */
  readonly client?: SecretsManagerClient;
  /** Config of the client built on first use. @default {} */
  readonly clientConfig?: SecretsManagerClientConfig;
  /** Current time in epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
}

/**
 * Secrets from AWS Secrets Manager, named `<prefix><name>`. Values are cached in the store
 * (one per Lambda container) for `ttlSeconds`; concurrent reads of one secret share a request.
 */
export function awsSecretStore(options: AwsSecretStoreOptions = {}): SecretStore {
  const prefix = options.prefix ?? secretPrefix();
  const ttlMs = (options.ttlSeconds ?? 300) * 1000;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, { readonly value: Promise<string>; readonly at: number }>();
  const sm = lazy(async () => {
    const sdk = await import("@aws-sdk/client-secrets-manager");
    return { sdk, client: options.client ?? new sdk.SecretsManagerClient(options.clientConfig ?? {}) };
  });

  const fetch = async (name: string): Promise<string> => {
    const { sdk, client } = await sm();
    const id = `${prefix}${name}`;
    try {
      const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: id }));
      if (out.SecretString !== undefined) return out.SecretString;
      if (out.SecretBinary !== undefined) return Buffer.from(out.SecretBinary).toString("utf8");
      throw new SecretNotFoundError(
        `secret \`${name}\` (\`${id}\`) has no value; set one with \`stepflow secret set ${name}\``,
      );
    } catch (error) {
      if (error instanceof StepflowError) throw error;
      if ((error as { name?: string }).name === "ResourceNotFoundException") {
        throw new SecretNotFoundError(
          `secret \`${name}\` does not exist in Secrets Manager (looked for \`${id}\`); create it with \`stepflow secret set ${name}\``,
          { cause: error },
        );
      }
      if (isAccessDenied(error)) {
        // With a name-pattern grant (`<name>-??????`), Secrets Manager also answers a secret that
        // does not exist yet with AccessDenied.
        throw denialOf(
          error,
          "secretsmanager:GetSecretValue",
          id,
          `a task may read only the secrets it receives as \`secret("${name}")\`; if it does, the secret may not exist yet: create it with \`stepflow secret set ${name}\``,
        );
      }
      throw new StepflowError(
        `could not read secret \`${name}\` (\`${id}\`) from Secrets Manager: ${(error as Error).message}; check the task's IAM permissions and the secret's region`,
        { cause: error },
      );
    }
  };

  return {
    get(name) {
      const now = clock();
      const hit = cache.get(name);
      if (hit && now - hit.at < ttlMs) return hit.value;
      const value = fetch(name);
      cache.set(name, { value, at: now });
      value.catch(() => {
        if (cache.get(name)?.value === value) cache.delete(name);
      });
      return value;
    },
  };
}
