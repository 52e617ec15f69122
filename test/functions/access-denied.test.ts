/**
 * A request the role may not make is AccessDenied on every attempt: the stores turn it into a
 * NonRetriableError (which the state machine's retriers skip) naming the request and the fix.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { NonRetriableError } from "../../sdk/core/errors.ts";
import { awsResultStore } from "../../functions/stores/aws-result-store.ts";
import { awsSecretStore } from "../../functions/stores/aws-secret-store.ts";

const denied = (name: string) => Object.assign(new Error("User is not authorized to perform this action"), { name });

describe("AccessDenied from AWS", () => {
  it("fails an S3 read or write without retries, naming the action and object", async () => {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).rejects(denied("AccessDenied"));
    s3.on(PutObjectCommand).rejects(denied("AccessDenied"));
    const store = awsResultStore({ bucket: "b", client: new S3Client({ region: "us-east-1" }) });
    await expect(store.get("runs/f/r/x.json")).rejects.toThrow(NonRetriableError);
    await expect(store.get("runs/f/r/x.json")).rejects.toThrow(/`s3:GetObject` on `s3:\/\/b\/runs\/f\/r\/x.json` was denied \(AccessDenied\).*Not retried/);
    await expect(store.put("runs/f/r/y.json", 1)).rejects.toThrow(/`s3:PutObject` on `s3:\/\/b\/runs\/f\/r\/y.json` was denied/);
    s3.restore();
  });

  it("retries transient S3 errors, then fails retriably naming the store, operation and cause", async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).rejects(Object.assign(new Error("slow down"), { name: "SlowDown" }));
    const store = awsResultStore({
      bucket: "b",
      client: new S3Client({ region: "us-east-1", maxAttempts: 1 }),
      retry: { attempts: 3, baseDelayMs: 1 },
    });
    const error = await store.put("k", 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "StoreError", cause: { name: "SlowDown" } });
    expect(error).not.toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(/^S3 `PutObject` on `s3:\/\/b\/k` failed 3 times/);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(3);
    s3.restore();
  });

  it("fails a denied secret read without retries, saying it may be undeclared or not created yet", async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).rejects(denied("AccessDeniedException"));
    const store = awsSecretStore({ client: new SecretsManagerClient({ region: "us-east-1" }) });
    const read = store.get("slack-webhook");
    await expect(read).rejects.toThrow(NonRetriableError);
    await expect(read).rejects.toThrow(
      /`secretsmanager:GetSecretValue` on `stepflow\/slack-webhook` was denied \(AccessDeniedException\).*`secret\("slack-webhook"\)`.*`stepflow secret set slack-webhook`/,
    );
    sm.restore();
  });
});
