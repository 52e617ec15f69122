/**
 * The secrets a stack's flows use, by stepflow name: Secrets Manager secrets `stepflow/<name>`.
 */
import type { RemovalPolicy } from "aws-cdk-lib";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import { acknowledge } from "./nag.ts";

/** Prefix of every stepflow secret name in Secrets Manager. */
export const SECRET_PREFIX = "stepflow/";

/**
 * Declares each secret: created empty (the template holds no value, not even a generated one;
 * set it with `stepflow secret set <name>`), or referenced by name when it already exists.
 */
export function declareSecrets(
  scope: Construct,
  names: Iterable<string>,
  existing: ReadonlySet<string>,
  removalPolicy: RemovalPolicy,
): Map<string, secretsmanager.ISecret> {
  const secrets = new Map<string, secretsmanager.ISecret>();
  for (const name of [...new Set(names)].sort()) {
    const id = `Secret-${name.replace(/[^A-Za-z0-9]/g, "-")}`;
    if (existing.has(name)) {
      secrets.set(name, secretsmanager.Secret.fromSecretNameV2(scope, id, `${SECRET_PREFIX}${name}`));
      continue;
    }
    const secret = new secretsmanager.Secret(scope, id, {
      secretName: `${SECRET_PREFIX}${name}`,
      description: `stepflow secret \`${name}\`; set its value with \`stepflow secret set ${name}\``,
      removalPolicy,
    });
    // The L2 Secret always generates a random value when given none; without SecretString and
    // GenerateSecretString CloudFormation creates the secret with no value at all.
    (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride(
      "GenerateSecretString",
    );
    acknowledge(
      secret,
      "AwsSolutions-SMG4",
      "holds a third-party credential (e.g. a Slack webhook URL) that only its issuer can rotate; rotate it with `stepflow secret set`",
    );
    secrets.set(name, secret);
  }
  return secrets;
}
