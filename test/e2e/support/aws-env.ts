/**
 * The AWS a deployed task Lambda talks to, on 127.0.0.1: dynalite, s3rver and the Secrets
 * Manager stub (test/functions/support), reached only through the standard SDK v3 environment
 * variables, so the bundles run unchanged with the `{}` client config they use on Lambda.
 */
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { startDynamo, startS3, startSecretsManager } from "../../functions/support/emulators.ts";

/** Started emulators and the environment that points the SDK at them. */
export interface AwsEmulators {
  readonly dynamo: Awaited<ReturnType<typeof startDynamo>>;
  readonly s3: Awaited<ReturnType<typeof startS3>>;
  readonly secretsManager: Awaited<ReturnType<typeof startSecretsManager>>;
  /** Creates a table in dynalite. */
  createTable(input: CreateTableCommandInput): Promise<void>;
  /** Stops the emulators and restores every environment variable this changed. */
  stop(): Promise<void>;
}

/** Variables that would take precedence over the emulator settings or reach real AWS. */
const CLEARED = ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"];

/** Starts the emulators with `bucket` and `secrets`, and points `process.env` at them. */
export async function startAwsEmulators(
  bucket: string,
  secrets: Record<string, string>,
): Promise<AwsEmulators> {
  const [dynamo, s3, secretsManager] = await Promise.all([
    startDynamo(),
    startS3(bucket),
    startSecretsManager(secrets),
  ]);
  const saved = new Map<string, string | undefined>();
  const set = (name: string, value: string | undefined) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  for (const name of CLEARED) set(name, undefined);
  for (const [name, value] of Object.entries({
    AWS_REGION: "us-east-1",
    // s3rver accepts only these; dynalite and the stub accept any.
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_ENDPOINT_URL_S3: String(s3.config.endpoint),
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.config.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.config.endpoint,
    // s3rver predates the SDK's default flexible checksums (same as `startS3`'s client config).
    AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
    AWS_EC2_METADATA_DISABLED: "true",
  }))
    set(name, value);
  return {
    dynamo,
    s3,
    secretsManager,
    async createTable(input) {
      const client = new DynamoDBClient(dynamo.config);
      await client.send(new CreateTableCommand(input));
      client.destroy();
    },
    async stop() {
      await Promise.all([dynamo.stop(), s3.stop(), secretsManager.stop()]);
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
