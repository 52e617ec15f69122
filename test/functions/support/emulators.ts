/**
 * AWS emulators for the runtime's integration tests, on 127.0.0.1 with random ports:
 * dynalite (DynamoDB), s3rver (S3) and a Secrets Manager stub (GetSecretValue only).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { close, listen, startAwsStub } from "../../support/http-stubs.ts";

const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** dynalite, empty; create tables with `createHistoryTable`. */
export async function startDynamo() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  const config = { endpoint, region: "us-east-1", credentials: CREDENTIALS };
  return { config, stop: () => close(server) };
}

/** Creates the history table (keys and GSIs as deployed by infra). */
export async function createHistoryTable(config: DynamoDBClientConfig, table: string): Promise<string> {
  const s = (AttributeName: string) => ({ AttributeName, AttributeType: "S" as const });
  const gsi = (name: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}pk`, KeyType: "HASH" as const },
      { AttributeName: `${name}sk`, KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: "ALL" as const },
  });
  const client = new DynamoDBClient(config);
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [s("pk"), s("sk"), s("gsi1pk"), s("gsi1sk"), s("gsi2pk"), s("gsi2sk")],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [gsi("gsi1"), gsi("gsi2")],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  client.destroy();
  return table;
}

/** s3rver with one bucket, its objects in a temporary folder that `stop()` removes. */
export async function startS3(bucket: string) {
  const directory = mkdtempSync(join(tmpdir(), "stepflow-s3rver-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const config: S3ClientConfig = {
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    // s3rver predates the SDK's default flexible checksums.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  const stop = async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  };
  return { config, stop };
}

/** A Secrets Manager stub answering `secretsmanager.GetSecretValue` (JSON 1.1) from `secrets`. */
export async function startSecretsManager(secrets: Record<string, string>) {
  const stub = await startAwsStub({
    GetSecretValue: ({ SecretId }) =>
      typeof SecretId === "string" && Object.hasOwn(secrets, SecretId)
        ? {
            ARN: `arn:aws:secretsmanager:us-east-1:1:secret:${SecretId}`,
            Name: SecretId,
            SecretString: secrets[SecretId],
          }
        : { __error: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." },
  });
  return {
    config: { endpoint: stub.endpoint, region: "us-east-1", credentials: CREDENTIALS },
    requests: stub.requests,
    stop: stub.stop,
  };
}
