/**
 * No secret value, in any form it takes in text, reaches a log line, an error, a history record
 * a result or the CLI's output: a task that leaks its secrets every way it can, swept across every sink.
 */
import { describe, expect, it, vi } from "vitest";
import { createTaskHandler } from "../../functions/index.ts";
import { redact, secretForms } from "../../functions/private/redact.ts";
import { task } from "../../sdk/define/task.ts";
import { leakedForms, leaky, PEM, URL_SECRET } from "../fixtures/leaky-flows.ts";
import { NonRetriableError } from "../../sdk/core/errors.ts";
import { captureLogs, memoryHistory, memoryResults, memorySecrets, testLogger } from "./support/memory-stores.ts";
import { request } from "./support/request.ts";
import { cli } from "../support/cli.ts";
import { tempDir } from "../support/temp-dir.ts";

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

  it("keeps every form of every secret out of `stepflow run`'s output (progress and --json), and `stepflow runs`", async () => {
    const dir = tempDir("stepflow-leaky-");
    vi.stubEnv("STEPFLOW_SECRET_PEM", PEM);
    vi.stubEnv("STEPFLOW_SECRET_HOOK", URL_SECRET);
    // What the task's own console calls write to the process, beside what the CLI prints.
    let raw = "";
    const spies = [process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => ((raw += String(chunk)), true)),
    );
    const outputs: string[] = [];
    try {
      for (const mode of [[], ["--json"]]) {
        const run = await cli(["run", "test/fixtures/leaky-flows.ts", "--flow", "leaky-flow", "--dir", dir, ...mode]);
        expect(run.code).toBe(1);
        outputs.push(run.stdout, run.stderr);
      }
      const listed = await cli(["runs", "--dir", dir]);
      const runId = /leaky-flow-\S+/.exec(listed.stdout)?.[0] ?? "";
      const shown = await cli(["runs", runId, "--dir", dir]);
      expect(shown.stdout).toMatch(/FetchError/);
      outputs.push(listed.stdout, listed.stderr, shown.stdout, shown.stderr);
    } finally {
      for (const spy of spies) spy.mockRestore();
      vi.unstubAllEnvs();
    }
    const text = [...outputs, raw].join("\n");
    // The task's log lines and its error do reach the output, masked.
    expect(text).toMatch(/calling \*\*\* auth/);
    expect(text).toMatch(/FetchError: getaddrinfo ENOTFOUND \*\*\* for \*\*\*/);
    for (const form of [...leakedForms(PEM), ...leakedForms(URL_SECRET)]) {
      expect(text.includes(form), `CLI output contains ${JSON.stringify(form)}`).toBe(false);
    }
  }, 60_000);

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
