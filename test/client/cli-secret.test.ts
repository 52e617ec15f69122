/** `stepflow secret set` as users run it: a real process, the value piped on stdin, a Secrets Manager stub. */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
afterAll(() => stub?.stop());

function cli(
  args: string[],
  stdin: string,
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/stepflow.js", ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: "/nonexistent",
        ...stubEnv({ SECRETS_MANAGER: stub.endpoint }),
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("stepflow secret set", () => {
  it("puts the value read from stdin into `stepflow/<name>`", async () => {
    stub.requests.length = 0;
    const out = await cli(["secret", "set", "slack-webhook"], "https://hooks.slack.com/T1/B2\n");
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
    const out = await cli(["secret", "set", "api-token"], "t0k3n-42");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("created secret `stepflow/api-token`\n");
    expect(stub.requests.map((r) => r.operation)).toStrictEqual(["PutSecretValue", "CreateSecret"]);
    expect(stub.requests[1].body).toMatchObject({ Name: "stepflow/api-token", SecretString: "t0k3n-42" });
  });

  it("exits 2 saying how to configure credentials when there are none (not a crash)", async () => {
    stub.requests.length = 0;
    const out = await cli(["secret", "set", "api-token"], "t0k3n-42", {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/error: no AWS credentials were found for `secretsmanager:PutSecretValue`/);
    expect(out.stderr).not.toMatch(/crashed/);
    expect(stub.requests).toHaveLength(0);
  });

  it("refuses an empty value, and takes no value from arguments", async () => {
    stub.requests.length = 0;
    const empty = await cli(["secret", "set", "api-token"], "");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no value for secret `api-token` on stdin; pipe it in/);
    const short = await cli(["secret", "set", "api-token"], "abc");
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/secret `api-token` is refused: it is 3 characters long, and values under 6 characters cannot be kept out of logs safely/);
    const extra = await cli(["secret", "set", "api-token", "t0k3n"], "");
    expect(extra.code).toBe(2);
    expect(stub.requests).toHaveLength(0);
  });
});
