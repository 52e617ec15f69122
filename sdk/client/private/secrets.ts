/** Writing secret values to Secrets Manager for `stepflow secret set` and `StepflowClient.setSecret`. */
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { secretValueProblem } from "../../../functions/private/redact.ts";
import { UsageError } from "../../core/errors.ts";
import type { SecretWrite } from "../types.ts";
import { awsCall, type RetryPolicy } from "./aws-call.ts";
import { secretNameProblem } from "../../core/deploy-names.ts";

/** Puts a new value as `<prefix><name>` (what infra grants tasks), creating the secret when it does not exist yet. */
export async function setSecret(
  client: SecretsManagerClient,
  retry: RetryPolicy,
  name: string,
  value: string,
  prefix: string,
): Promise<SecretWrite> {
  const problem = secretNameProblem(name, prefix);
  if (problem) throw new UsageError(`secret name \`${name}\` is not allowed; ${problem}`);
  const tooShort = secretValueProblem(value);
  if (tooShort) throw new UsageError(`the value of secret \`${name}\` is refused: ${tooShort}; set a longer value`);
  if (value.length === 0) {
    throw new UsageError(`the value of secret \`${name}\` is empty; pass the value on stdin`);
  }
  const secretId = `${prefix}${name}`;
  const ctx = (action: string) => ({ action, resource: secretId });
  try {
    const out = await awsCall(ctx("secretsmanager:PutSecretValue"), retry, () =>
      client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value })),
    );
    return { secretId, arn: out.ARN, created: false };
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
  }
  const out = await awsCall(ctx("secretsmanager:CreateSecret"), retry, () =>
    client.send(
      new CreateSecretCommand({
        Name: secretId,
        SecretString: value,
        Description: `stepflow secret \`${name}\`; tasks read it with secret("${name}")`,
      }),
    ),
  );
  return { secretId, arn: out.ARN, created: true };
}
