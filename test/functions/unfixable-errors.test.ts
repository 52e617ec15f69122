/**
 * Errors no retry can fix fail the task at once, whatever its `retries` (not after every retry
 * delay): programming errors and a bad local secrets file. `retryOn` naming one retries it after all.
 */
import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flow, secret, task } from "../../sdk/index.ts";
import { runLocal } from "../../sdk/local/index.ts";
import { tempDir } from "../support/temp-dir.ts";

// Real delays (no fastRetries): a retry would make the run last 60 s and the test time out.
const RETRIES = { retries: 2, retryDelay: "60 seconds" } as const;

function attemptsOf(run: { tasks: readonly { state: string }[] }, state: string): number {
  return run.tasks.filter((t) => t.state === state).length;
}

describe("errors no retry can fix", () => {
  it.each([
    [
      "ReferenceError",
      (): number => {
        throw new ReferenceError("fetchPrices is not defined");
      },
    ],
    ["TypeError", () => (undefined as unknown as { x: () => number }).x()],
    ["SyntaxError", () => JSON.parse("{") as number],
  ])("a %s fails the task on its first attempt", async (name, fn) => {
    const broken = task(`broken-${name.toLowerCase()}`, RETRIES, fn);
    const run = await runLocal(flow(`code-${name.toLowerCase()}`, () => broken()), {}, { dir: tempDir("stepflow-code-") });
    expect(run.status).toBe("FAILED");
    expect(run.error?.name).toBe(name);
    expect(attemptsOf(run, broken.taskName)).toBe(1);
  });

  it("retries fetch's network failures, as `FetchError` with the cause in the message, and errors `retryOn` names", async () => {
    const port = await closedPort();
    let calls = 0;
    const network = task("network", { ...RETRIES, retryDelay: 0 }, async () => {
      if (calls++ === 0) await fetch(`http://127.0.0.1:${port}/`);
      return calls;
    });
    // These runs do retry: `fastRetries` leaves out the delay (about a second each) before the next attempt.
    const run = await runLocal(flow("network-flow", () => network()), {}, { dir: tempDir("stepflow-code-"), fastRetries: true });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.tasks.map((t) => [t.status, t.error?.name])).toStrictEqual([["FAILED", "FetchError"], ["SUCCEEDED", undefined]]);
    expect(run.tasks[0].error?.message).toMatch(new RegExp(`^fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    let tries = 0;
    const flaky = task("flaky-ref", { retries: 1, retryDelay: 0, retryOn: ["ReferenceError"] }, () => {
      if (tries++ === 0) throw new ReferenceError("not yet");
      return tries;
    });
    const again = await runLocal(flow("retry-on-flow", () => flaky()), {}, { dir: tempDir("stepflow-code-"), fastRetries: true });
    expect(again.status).toBe("SUCCEEDED");
    expect(attemptsOf(again, "flaky-ref")).toBe(2);
  });

  it.each([
    ['{ "token": 42 }', /secret `token` in `.*secrets\.json` is a number, not a string; write its value as a JSON string, e\.g\. `"token": "42"`/],
    ['{ "token": ', /`.*secrets\.json` is not valid JSON \(.*\); fix it/],
    ['["token"]', /`.*secrets\.json` must hold a JSON object of secret names and string values/],
  ])("a secrets.json of %s fails the task at once, saying what is wrong with the file", async (text, message) => {
    const dir = tempDir("stepflow-secrets-");
    writeFileSync(join(dir, "secrets.json"), text);
    const use = task("use-token", RETRIES, (token: string) => token.length);
    const run = await runLocal(flow("secret-file", () => use(secret("token"))), {}, { dir, missingSecrets: "empty" });
    expect(run.status).toBe("FAILED");
    expect(run.error?.name).toBe("SecretsFileError");
    expect(run.error?.message).toMatch(message);
    expect(attemptsOf(run, "use-token")).toBe(1);
  });
});

/** A local port nothing listens on (a server's, closed again). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}
