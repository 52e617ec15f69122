/**
 * No secret value, in any form it takes in text, reaches a log line, an error, a history record
 * or a result: a task that leaks its secrets every way it can, swept across every sink.
 */
import { describe, expect, it } from "vitest";
import { createTaskHandler } from "../../functions/index.ts";
import { redact, secretForms } from "../../functions/private/redact.ts";
import { task } from "../../sdk/define/task.ts";
import { NonRetriableError } from "../../sdk/core/errors.ts";
import { captureLogs, memoryHistory, memoryResults, memorySecrets, testLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

const PEM = [
  "-----BEGIN PRIVATE KEY-----",
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
  "kq8Vb3Qz1n5Yx0s7PqLmN2vR4tW9yZaBcDeFgHiJkLmNoPqRsTuV",
  "-----END PRIVATE KEY-----",
].join("\n");
const URL_SECRET = "https://hooks.internal-example.com/services/T0ABC/B0DEF/s3cr3tPathPart?token=a b&c";

/** Every form a leak may take, each of which must be absent from every sink. */
function leakedForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), encodeURI(value)];
  forms.push(Buffer.from(value).toString("base64"), Buffer.from(`user:${value}`).toString("base64").slice(8, -8));
  for (const line of value.split("\n")) forms.push(line);
  if (value.startsWith("https://")) forms.push(new URL(value).host, new URL(value).pathname);
  return forms;
}

const leaky = task("leaky", (pem: string, hook: string) => {
  console.log({ token: pem }); // util.inspect: one quoted piece per line
  console.log("calling", encodeURIComponent(hook), "auth", Buffer.from(`user:${pem}`).toString("base64"));
  console.warn(`url form ${new URLSearchParams({ u: hook }).toString()} and json ${JSON.stringify({ pem })}`);
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(hook).host} for ${encodeURI(hook)}`), {
    name: "FetchError",
    detail: Buffer.from(hook).toString("base64url"),
  });
});

describe("secret redaction", () => {
  it("keeps every form of every secret out of log lines, errors and history records", async () => {
    const history = memoryHistory();
    const handle = createTaskHandler({
      tasks: { leaky },
      results: memoryResults(),
      history,
      secrets: memorySecrets({ pem: PEM, hook: URL_SECRET }),
      logger: testLogger(),
    });
    const logs = captureLogs();
    let error: unknown;
    try {
      error = await handle(request("leaky", [{ secret: "pem" }, { secret: "hook" }])).catch((e: unknown) => e);
    } finally {
      logs.restore();
    }
    expect(error).toMatchObject({ name: "FetchError" });
    const sinks = {
      logs: JSON.stringify(logs.lines),
      error: `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`,
      history: JSON.stringify(history.writes),
    };
    expect(logs.lines.length).toBeGreaterThanOrEqual(4);
    for (const [sink, text] of Object.entries(sinks)) {
      for (const form of [...leakedForms(PEM), ...leakedForms(URL_SECRET)]) {
        expect(text.includes(form), `${sink} contains ${JSON.stringify(form)}`).toBe(false);
      }
      expect(text).toContain("***");
    }
  });

  it.each([
    ["exact", (v: string) => `x ${v} y`],
    ["JSON-escaped", (v: string) => JSON.stringify({ v })],
    ["URL-encoded", (v: string) => `?q=${encodeURIComponent(v)}`],
    ["base64 at any offset", (v: string) => ["", "a", "ab"].map((p) => Buffer.from(p + v + "z").toString("base64")).join(" ")],
    ["base64url", (v: string) => Buffer.from(v).toString("base64url")],
  ])("masks the %s form", (_, encode) => {
    const value = "pa ss/wörd+=?&42";
    const text = encode(value);
    const masked = redact(text, [value]);
    expect(masked).toContain("***");
    for (const form of secretForms(value)) expect(masked.includes(form), form).toBe(false);
  });

  it("refuses a secret too short to redact safely, naming it and the reason", async () => {
    const uses = task("uses", (s: string) => s.length);
    const handle = createTaskHandler({
      tasks: { uses },
      results: memoryResults(),
      history: memoryHistory(),
      secrets: memorySecrets({ pin: "1234" }),
      logger: testLogger(),
    });
    const logs = captureLogs();
    const error = await handle(request("uses", [{ secret: "pin" }]))
      .catch((e: unknown) => e)
      .finally(() => logs.restore());
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toMatch(
      /^secret `pin` cannot be used: it is 4 characters long, and values under 6 characters cannot be kept out of logs safely/,
    );
  });
});
