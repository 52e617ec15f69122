import { UsageError } from "../core/errors.ts";
import { makeRef, type Ref } from "./ref.ts";

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRETS = Object.freeze({ kind: "secrets" });

/** A reference to a secret, resolved to its value only inside the Lambda that receives it. */
export type SecretRef = Ref<string> & { readonly source: { readonly kind: "secret"; readonly name: string } };

/**
 * Refers to a secret by name: a Secrets Manager secret on AWS, `STEPFLOW_SECRET_<NAME>` or
 * `.stepflow/secrets.json` locally. Its value never appears in a payload, log, template or history.
 * @example post(secret("slack-webhook"), "There has been a dip")
 */
export function secret(name: string): SecretRef {
  if (!SECRET_NAME.test(name)) {
    throw new UsageError(
      `secret name \`${name}\` is not a valid Secrets Manager name; use 1-512 letters, digits or /_+=.@-`,
    );
  }
  return makeRef<string>({ kind: "secret", name }, SECRETS) as SecretRef;
}
