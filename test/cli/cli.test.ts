/**
 * The real binary, spawned, for what only a process shows: the wiring of bin/stepflow.js, and
 * output read through pipes arriving whole before the process exits. Everything else is tested
 * in-process through `main` (run.test.ts, errors.test.ts, inspect.test.ts).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { basename, dirname } from "node:path";
// @ts-expect-error -- plain JavaScript without types: the bin entry runs before any TypeScript loader
import { bundleOf } from "../../bin/private/compiled-cli.js";
import { describe, expect, it } from "vitest";
import { ROOT, spawnCli } from "../support/cli.ts";
import { startAwsStub, stubEnv } from "../support/http-stubs.ts";
import { tempDir } from "../support/temp-dir.ts";

const dir = tempDir("stepflow-cli-");

describe("bin/stepflow.js", () => {
  it("runs the flagship example with progress on stderr and the result on stdout, and records the run", async () => {
    const r = await spawnCli(["run", "flows/crypto-dip.ts", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/▶ crypto-dip {2}crypto-dip-\S+/);
    expect(r.stderr).toMatch(/✓ get-data +\d+ ms/);
    expect(r.stderr).not.toContain("\u001b["); // a pipe gets no ANSI codes
    expect(r.stdout.trim()).toBe("true");
    const runs = await spawnCli(["runs", "--dir", dir]);
    expect(runs.stdout).toMatch(/crypto-dip-\S+ +crypto-dip +SUCCEEDED/);
  });

  it("drains a 10 MB `--json` run into a pipe before it exits, so the JSON parses", async () => {
    const n = 10_000_000;
    const r = await spawnCli(["run", "test/fixtures/local-flows.ts", "--flow", "big-result", "--param", `n=${n}`, "--json", "--dir", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(n);
    expect((JSON.parse(r.stdout) as { result: string }).result).toHaveLength(n);
  });

  it("prints the compiled ASL whole into a pipe", async () => {
    const r = await spawnCli(["graph", "flows/taxi-tips.ts", "--format", "asl"]);
    expect(r.code).toBe(0);
    const asl = JSON.parse(r.stdout) as { StartAt: string; States: Record<string, unknown> };
    expect(asl.States[asl.StartAt]).toBeDefined();
  });

  it("runs compiled: the CLI and the flow file bundled once, the bundle reused while its inputs are unchanged", async () => {
    const argv = ["node", "stepflow", "run", "flows/hello.ts"];
    const { out } = bundleOf(argv.map((a) => (a.endsWith(".ts") ? `${ROOT}/${a}` : a)));
    const r = await spawnCli([...argv.slice(2), "--dir", dir]);
    expect(r.code).toBe(0);
    const inputs = (JSON.parse(readFileSync(`${out}/inputs.json`, "utf8")) as [string][]).map(([f]) => f);
    expect(inputs).toEqual(expect.arrayContaining(["sdk/cli/main.ts", "flows/hello.ts", "sdk/define/flow.ts"]));
    const built = statSync(`${out}/entry.js`).mtimeMs;
    expect((await spawnCli([...argv.slice(2), "--dir", dir])).code).toBe(0);
    expect(statSync(`${out}/entry.js`).mtimeMs).toBe(built);
  });

  it("builds a cold bundle in several CLI calls at once without one removing the chunks another loads", async () => {
    const argv = ["node", "stepflow", "run", "test/fixtures/bundle-race.ts"];
    const { out } = bundleOf(argv.map((a) => (a.endsWith(".ts") ? `${ROOT}/${a}` : a)));
    rmSync(out, { recursive: true, force: true });
    const runs = await Promise.all([1, 2, 3].map(() => spawnCli([...argv.slice(2), "--dir", dir])));
    expect(runs.map((r) => [r.code, r.stdout.trim()]), runs.map((r) => r.stderr).join("\n")).toEqual([
      [0, "42"],
      [0, "42"],
      [0, "42"],
    ]);
    // A stale bundle is set aside, not deleted under a process that may still be running from it.
    const later = new Date(Date.now() + 5_000);
    utimesSync(`${ROOT}/test/fixtures/bundle-race.ts`, later, later);
    expect((await spawnCli([...argv.slice(2), "--dir", dir])).code).toBe(0);
    const siblings = readdirSync(dirname(out)).filter((n) => n.startsWith(basename(out)));
    expect(siblings.filter((n) => n.includes(".old-")).length).toBeGreaterThanOrEqual(1);
    expect(siblings.filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("loads no AWS SDK package for a local run: the local engine's Lambda client and credentials load on first use", async () => {
    const trace = `${dir}/packages-${Date.now()}.txt`;
    const env = { NODE_OPTIONS: `--import ${ROOT}/test/fixtures/trace-packages.mjs`, STEPFLOW_TRACE_PACKAGES: trace };
    const r = await spawnCli(["run", "flows/hello.ts", "--dir", dir], env);
    expect(r.code).toBe(0);
    const specifiers = readFileSync(trace, "utf8").trim().split("\n");
    expect(specifiers.some((s) => s.endsWith("/bin/stepflow.js"))).toBe(true); // the trace saw the process start
    expect(specifiers.filter((p) => p.startsWith("@aws-sdk/") || p.startsWith("@smithy/"))).toEqual([]);
  });

  it("names the flow file and line of a definition problem (source maps of the user's code kept)", async () => {
    const r = await spawnCli(["run", "test/fixtures/broken-flow.ts", "--dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flow `broken` \(test\/fixtures\/broken-flow\.ts:6\) has 1 problem/);
  });

  it("retries a failed run from its id alone: the compiled CLI loads the module the run recorded", async () => {
    const failed = await spawnCli(["run", "test/fixtures/cli-flows.ts", "--flow", "quarter", "--dir", dir]);
    expect(failed.code).toBe(1);
    const runId = /\(run (quarter-\S+)\)/.exec(failed.stderr)?.[1] ?? "";
    const r = await spawnCli(["retry", runId, "--dir", dir]);
    expect(r.stderr).toContain(`retry of run ${runId}: 2 task calls reused`);
    expect(r.stderr).not.toMatch(/could not load/);
    expect(r.code).toBe(1); // February's file is still missing
  });

  it("stops a task attempt busy in CPU-bound code at its `timeout: 2` and fails the run with States.Timeout", async () => {
    // The loop would spin for 10 minutes (the test's own timeout is 2): the worker running it is stopped.
    const r = await spawnCli(["run", "test/fixtures/limit-flows.ts", "--flow", "busy-task", "--param", "ms=600000", "--json", "--dir", dir]);
    expect(r.code).toBe(1);
    const run = JSON.parse(r.stdout) as { status: string; error: { name: string; message: string; state: string } };
    expect(run.status).toBe("FAILED");
    expect(run.error).toMatchObject({ name: "States.Timeout", state: "grind" });
    expect(run.error.message).toMatch(/was stopped: its CPU-bound code ran past its `timeout` of 2 seconds/);
  }, 120_000);

  it("ends at once on SIGINT during a busy loop, the run recorded ABORTED", async () => {
    const child = spawn(process.execPath, ["bin/stepflow.js", "run", "test/fixtures/limit-flows.ts", "--flow", "long-busy-task", "--param", "ms=600000", "--dir", dir], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    // Once the task has started (and its worker has had a moment to enter the loop), interrupt.
    await new Promise<void>((started) =>
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes("▸ mill")) setTimeout(started, 1_500);
      }),
    );
    child.kill("SIGINT");
    // The loop would spin for 10 minutes: the process ends long before the test's 2-minute timeout.
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/✗ long-busy-task ABORTED after/);
    const runs = await spawnCli(["runs", "--dir", dir]);
    expect(runs.stdout).toMatch(/long-busy-task-\S+ +long-busy-task +ABORTED/);
  }, 120_000);

  it("reads `secret set`'s value from a pipe into Secrets Manager (test/client/cli-secret.test.ts: the rest in-process)", async () => {
    const stub = await startAwsStub({
      PutSecretValue: (b) => ({ ARN: `arn:aws:secretsmanager:eu-west-1:1:secret:${b.SecretId}-AbCdEf`, Name: b.SecretId }),
    });
    try {
      const env = { ...stubEnv({ SECRETS_MANAGER: stub.endpoint }), HOME: "/nonexistent" };
      const r = await spawnCli(["secret", "set", "slack-webhook"], env, "https://hooks.slack.com/T1/B2\n");
      expect(r).toStrictEqual({ code: 0, stdout: "updated secret `stepflow/slack-webhook`\n", stderr: "" });
      expect(stub.requests.map((q) => q.body)).toStrictEqual([
        expect.objectContaining({ SecretId: "stepflow/slack-webhook", SecretString: "https://hooks.slack.com/T1/B2" }),
      ]);
    } finally {
      await stub.stop();
    }
  });

  it("prints its version, the package's", async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { version: string };
    const r = await spawnCli(["--version"]);
    expect(r).toStrictEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });
});
