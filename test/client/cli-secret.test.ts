/**
 * `stepflow secret set` in-process through `main(argv, io)` (the entry the binary calls), the
 * value on the io's stdin, against a Secrets Manager stub. test/cli/cli.test.ts pipes a value
 * into the spawned binary once, for the wiring of its stdin.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../sdk/cli/main.ts";
import { cli } from "../support/cli.ts";
import { startAwsStub, stubEnv } from "../support/http-stubs.ts";

let stub: Awaited<ReturnType<typeof startAwsStub>>;
const existing = new Set(["stepflow/slack-webhook"]);

beforeAll(async () => {
  stub = await startAwsStub({
    PutSecretValue: (b) =>
      existing.has(String(b.SecretId))
        ? { ARN: `arn:aws:secretsmanager:eu-west-1:1:secret:${b.SecretId}-AbCdEf`, Name: b.SecretId }
        : {
            __error: "ResourceNotFoundException",
            message: "Secrets Manager can't find the specified secret.",
          },
    CreateSecret: (b) => ({
      ARN: `arn:aws:secretsmanager:eu-west-1:1:secret:${b.Name}-XyZ123`,
      Name: b.Name,
    }),
  });
  // The SDK finds credentials in these variables only: no shared config or credentials files
  // (test/setup.ts puts the environment back when this file ends).
  Object.assign(process.env, stubEnv({ SECRETS_MANAGER: stub.endpoint }), {
    HOME: "/nonexistent",
    AWS_CONFIG_FILE: "/nonexistent/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
  });
  delete process.env.AWS_PROFILE;
});
afterAll(() => stub?.stop());

describe("stepflow secret set", () => {
  it("puts the value read from stdin into `stepflow/<name>`", async () => {
    stub.requests.length = 0;
    const out = await cli(["secret", "set", "slack-webhook"], { stdin: "https://hooks.slack.com/T1/B2\n" });
    expect(out.stderr).not.toMatch(/error/);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("updated secret `stepflow/slack-webhook`\n");
    expect(stub.requests).toStrictEqual([
      {
        target: "secretsmanager.PutSecretValue",
        operation: "PutSecretValue",
        body: expect.objectContaining({
          SecretId: "stepflow/slack-webhook",
          SecretString: "https://hooks.slack.com/T1/B2",
        }),
      },
    ]);
  });

  it("creates the secret when it does not exist", async () => {
    stub.requests.length = 0;
    const out = await cli(["secret", "set", "api-token"], { stdin: "t0k3n-42" });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("created secret `stepflow/api-token`\n");
    expect(stub.requests.map((r) => r.operation)).toStrictEqual(["PutSecretValue", "CreateSecret"]);
    expect(stub.requests[1].body).toMatchObject({ Name: "stepflow/api-token", SecretString: "t0k3n-42" });
  });

  it("asks for the value on stderr when stdin is a terminal, and keeps it out of stdout", async () => {
    stub.requests.length = 0;
    let stdout = "";
    let stderr = "";
    const io = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: Object.assign(Readable.from([Buffer.from("t0k3n-42\n")]), { isTTY: true }),
    };
    expect(await main(["node", "stepflow", "secret", "set", "slack-webhook"], io)).toBe(0);
    expect(stderr).toBe("value of secret `slack-webhook` (end with Ctrl-D):\n");
    expect(stdout).toBe("updated secret `stepflow/slack-webhook`\n");
    expect(stub.requests[0].body).toMatchObject({ SecretId: "stepflow/slack-webhook", SecretString: "t0k3n-42" });
  });

  it("exits 2 saying how to configure credentials when there are none (not a crash)", async () => {
    stub.requests.length = 0;
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const out = await cli(["secret", "set", "api-token"], { stdin: "t0k3n-42" });
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/error: no AWS credentials were found for `secretsmanager:PutSecretValue`/);
      expect(out.stderr).not.toMatch(/crashed/);
      expect(stub.requests).toHaveLength(0);
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY });
    }
  });

  it("refuses an empty value, and takes no value from arguments", async () => {
    stub.requests.length = 0;
    const empty = await cli(["secret", "set", "api-token"], { stdin: "" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no value for secret `api-token` on stdin; pipe it in/);
    const short = await cli(["secret", "set", "api-token"], { stdin: "abc" });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/secret `api-token` is refused: it is 3 characters long, and values under 6 characters cannot be kept out of logs safely/);
    const extra = await cli(["secret", "set", "api-token", "t0k3n"], { stdin: "" });
    expect(extra.code).toBe(2);
    expect(stub.requests).toHaveLength(0);
  });
});
