import { UsageError } from "../core/errors.ts";
import { makeRef, type Ref } from "./ref.ts";
import { secretNameProblem } from "../core/deploy-names.ts";

const SECRETS = Object.freeze({ kind: "secrets" });

/** A reference to a secret, resolved to its value only inside the Lambda that receives it. */
export type SecretRef = Ref<string> & { readonly source: { readonly kind: "secret"; readonly name: string } };

/**
 * Refers to a secret by name: a Secrets Manager secret on AWS, `STEPFLOW_SECRET_<NAME>` or
 * `.stepflow/secrets.json` locally. Its value never appears in a payload, log, template or history.
 * @example post(secret("slack-webhook"), "There has been a dip")
 */
export function secret(name: string): SecretRef {
  const problem = secretNameProblem(name);
  if (problem) throw new UsageError(`secret name \`${name}\` is not a valid Secrets Manager name; ${problem}`);
  return makeRef<string>({ kind: "secret", name }, SECRETS) as SecretRef;
}
