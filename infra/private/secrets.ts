/**
 * The secrets a stack's flows use, by stepflow name: Secrets Manager secrets `stepflow/<name>`
 * (`<stage>-stepflow/<name>` with a stage), referenced by name and never created by the stack.
 *
 * Why not created: a secret created with a fixed name and kept on stack deletion (RETAIN, so
 * its value survives) blocks the next deploy of the same stack ("already exists"), and a stack
 * cannot create one that already holds a value without overwriting or adopting it. `stepflow
 * secret set <name>` creates the secret (or a new version) instead; the roles are granted
 * `GetSecretValue` on the name plus Secrets Manager's 6-character suffix, which matches the
 * secret whenever it is created, and nothing else.
 */
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { secretPrefix } from "../../sdk/core/deploy-names.ts";

/** Each secret referenced by name (`Secret.fromSecretNameV2`), by stepflow name. */
export function declareSecrets(
  scope: Construct,
  names: Iterable<string>,
  stage: string | undefined,
): Map<string, secretsmanager.ISecret> {
  const secrets = new Map<string, secretsmanager.ISecret>();
  for (const name of [...new Set(names)].sort()) {
    const id = `Secret-${name.replace(/[^A-Za-z0-9]/g, "-")}`;
    secrets.set(name, secretsmanager.Secret.fromSecretNameV2(scope, id, `${secretPrefix(stage)}${name}`));
  }
  return secrets;
}
