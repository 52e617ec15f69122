import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createTaskHandler,
  localSecretStore,
  SecretNotFoundError,
} from "../../functions/index.ts";
import { secretEnvName } from "../../functions/stores/local-secret-store.ts";
import { redact } from "../../functions/private/redact.ts";
import { task } from "../../sdk/define/task.ts";
import { tempDir } from "../support/temp-dir.ts";
import {
  captureLogs,
  memoryHistory,
  memoryResults,
  memorySecrets,
  testLogger,
} from "./support/memory-stores.ts";
import { request } from "./support/request.ts";

const SECRET = "hunter2-very-secret";
const leaky = task("leaky", (hook: string) => {
  console.log("posting to %s", hook);
  throw new Error(`POST ${hook} failed with 500`);
});
/** Fails like an HTTP client's error: the request (with the secret) on its enumerable properties. */
const httpish = task("httpish", (token: string) => {
  const inner = Object.assign(new Error("socket hang up"), { headers: { authorization: `Bearer ${token}` } });
  throw Object.assign(new Error("request failed with status 500"), {
    config: { headers: { authorization: `Bearer ${token}` } },
    toJSON: () => ({ message: "request failed with status 500", token }),
    inner,
  });
});
const returns = task("returns", (hook: string) => ({ url: hook }));
const chatty = task("chatty", async (name: string, ms: number) => {
  await new Promise((r) => setTimeout(r, ms));
  console.info(`hello from ${name}`);
  await new Promise((r) => setTimeout(r, ms));
  console.warn(`bye from ${name}`);
  return name;
});

let logs: ReturnType<typeof captureLogs> | undefined;
afterEach(() => logs?.restore());

function setup() {
  const history = memoryHistory();
  logs = captureLogs();
  const handle = createTaskHandler({
    tasks: { leaky, httpish, returns, chatty },
    results: memoryResults(),
    history,
    secrets: memorySecrets({ hook: SECRET }),
    logger: testLogger(),
  });
  return { handle, history, lines: logs.lines };
}

describe("secret redaction", () => {
  it("redacts raw and JSON-escaped values, but not values too short to be secrets", () => {
    expect(redact(`a ${SECRET} b "${SECRET}"`, [SECRET])).toBe('a *** b "***"');
    expect(redact('x "q\\"uote" y', ['q"uote'])).toBe('x "***" y');
    expect(redact("a b c", ["a"])).toBe("a b c");
  });

  it("keeps a secret out of the thrown error, the history record and every log line", async () => {
    const { handle, history, lines } = setup();
    const error = (await handle(request("leaky", [{ secret: "hook" }])).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe("Error");
    expect(error.message).toBe("POST *** failed with 500");
    expect(error.stack).not.toContain(SECRET);
    expect(JSON.stringify(history.writes)).not.toContain(SECRET);
    expect(history.writes.at(-1)?.error?.message).toBe("POST *** failed with 500");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(lines.some((l) => l.message === "posting to ***")).toBe(true);
  });

  it("keeps a secret held in the thrown error's properties out of what Lambda logs of it", async () => {
    const { handle } = setup();
    const error = (await handle(request("httpish", [{ secret: "hook" }])).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe("Error");
    expect(error.message).toBe("request failed with status 500");
    // What the Lambda runtime logs of a failed invocation ("Invoke Error").
    const invokeError = JSON.stringify(error, (_k, v: unknown) =>
      v instanceof Error ? { errorType: v.name, errorMessage: v.message, ...v, stack: v.stack } : v,
    );
    expect(invokeError).not.toContain(SECRET);
    expect(invokeError).toContain("request failed with status 500");
  });

  it("fails a task that returns a secret it received", async () => {
    const { handle } = setup();
    await expect(handle(request("returns", [{ secret: "hook" }]))).rejects.toThrow(
      /task `returns` \(state `returns`\) returned a value containing a secret it received/,
    );
  });
});

describe("local secret store", () => {
  it("reads STEPFLOW_SECRET_<NAME> first, then .stepflow/secrets.json, and says how to set a missing one", async () => {
    const dir = tempDir("stepflow-secrets-");
    await writeFile(
      join(dir, "secrets.json"),
      JSON.stringify({ "slack-webhook": "from-file", other: "file-only" }),
    );
    const store = localSecretStore({ dir, env: { STEPFLOW_SECRET_SLACK_WEBHOOK: "from-env" } });
    expect(secretEnvName("slack-webhook")).toBe("STEPFLOW_SECRET_SLACK_WEBHOOK");
    expect(await store.get("slack-webhook")).toBe("from-env");
    expect(await store.get("other")).toBe("file-only");
    const error = (await store.get("db/password").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect(error.message).toMatch(
      /secret `db\/password` is not set; set the environment variable `STEPFLOW_SECRET_DB_PASSWORD`/,
    );
  });

  it("fails the task when a secret is missing, naming the secret", async () => {
    const handle = createTaskHandler({
      tasks: { returns },
      results: memoryResults(),
      history: memoryHistory(),
      secrets: localSecretStore({ dir: tempDir("stepflow-no-secrets-"), env: {} }),
      logger: testLogger(),
    });
    logs = captureLogs();
    await expect(handle(request("returns", [{ secret: "api-key" }]))).rejects.toThrow(
      /secret `api-key` is not set; set the environment variable `STEPFLOW_SECRET_API_KEY`/,
    );
  });
});

describe("structured logs", () => {
  it("puts flow, run id, task, state, map index and attempt on every line, console output included", async () => {
    const { handle, lines } = setup();
    await handle(request("chatty", [{ v: "a" }, { v: 1 }], { index: 3, attempt: 1, state: "chatty-2" }));
    expect(lines.map((l) => [l.level, l.message])).toStrictEqual([
      ["INFO", "task started"],
      ["INFO", "hello from a"],
      ["WARN", "bye from a"],
      ["INFO", "task succeeded"],
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({
        flow: "f",
        runId: "r1",
        task: "chatty",
        state: "chatty-2",
        mapIndex: 3,
        attempt: 1,
      });
    }
    expect(lines[1].source).toBe("console");
  });

  it("keeps the context of concurrent invocations apart", async () => {
    const { handle, lines } = setup();
    await Promise.all([
      handle(request("chatty", [{ v: "a" }, { v: 5 }], { index: 0 })),
      handle(request("chatty", [{ v: "b" }, { v: 2 }], { index: 1 })),
    ]);
    const printed = lines.filter((l) => l.source === "console");
    expect(printed).toHaveLength(4);
    for (const l of printed) expect(String(l.message)).toContain(l.mapIndex === 0 ? "from a" : "from b");
  });

  it("leaves console output outside a task alone", () => {
    const { lines } = setup();
    console.log("not in a task");
    expect(lines).toStrictEqual([]);
  });
});
