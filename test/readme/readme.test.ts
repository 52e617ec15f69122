/**
 * Every snippet of the README, tested as a reader would use it. The TypeScript snippets are the
 * files of test/readme/app/ word for word, laid out as a reader's project (flows/, test/, a CDK
 * app, a script that starts runs): they type-check with the repo, lint clean (readme-lint.test.ts,
 * in the e2e tier), and run: the API
 * tour locally and deployed by FlowStack, the CDK app constructed, the client script against the
 * Step Functions API (mocked: no account here) and a DynamoDB history table (dynalite), and the testing snippet as the
 * vitest test it is (app/test/crypto-dip.test.ts). Every `stepflow` line of the shell snippets
 * parses with the CLI's real options, and the local ones run.
 */
import { readFileSync } from "node:fs";
import { SFNClient, DescribeExecutionCommand, ListStateMachinesCommand, StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createProgram } from "../../sdk/cli/program.ts";
import { runLocal } from "../../sdk/local/index.ts";
import { execArn, smArn } from "../client/support/mocks.ts";
import { historyWriter } from "../client/support/history-writer.ts";
import { createHistoryTable, startDynamo } from "../functions/support/emulators.ts";
import { synth } from "../infra/support.ts";
import { cli, ROOT } from "../support/cli.ts";
import { restoreProcessState, saveProcessState } from "../support/process-state.ts";
import { tempDir } from "../support/temp-dir.ts";
import { SNIPPETS, snippetFile } from "./snippets.ts";
import { toTheMoon } from "./app/flows/to-the-moon.ts";

const README = readFileSync(`${ROOT}/README.md`, "utf8");

const tsBlocks = () => [...README.matchAll(/```ts\n([^]*?)```/g)].map((m) => m[1]);

/** The `stepflow` command lines of the README's ```sh blocks, as argument lists. */
function stepflowLines(): string[][] {
  const lines = [...README.matchAll(/```sh\n([^]*?)```/g)].flatMap((m) => m[1].split("\n"));
  return lines
    .map((l) => /(?:npx )?stepflow (.+?)(?:\s+#.*)?$/.exec(l.split(" | ").pop() ?? "")?.[1])
    .filter((l): l is string => l !== undefined)
    .map((l) => [...l.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]));
}

/**
 * A usage line's arguments as a call would give them: `[--flow name]` is `--flow name`, `a|b` is
 * `a`, `...` is dropped; placeholders such as `<file>` stay as values.
 */
function asCall(argv: readonly string[]): string[] {
  return argv.map((a) => a.replace(/^\[|\]$/g, "").split("|")[0]).filter((a) => a !== "" && a !== "...");
}

describe("README", () => {
  it("has each TypeScript snippet as a file of test/readme/app, word for word", () => {
    expect(tsBlocks()).toStrictEqual(SNIPPETS.map((s) => readFileSync(snippetFile(s), "utf8")));
  });

  it("API tour: runs locally as written (a DOGE dip is detected and posted; the unset webhook skips the POST)", async () => {
    const run = await runLocal(toTheMoon, {}, { dir: tempDir("stepflow-readme-"), missingSecrets: "empty" });
    expect(run.status).toBe("SUCCEEDED");
    expect(run.tasks.map((t) => `${t.state} ${t.status}`)).toStrictEqual([
      "get-data SUCCEEDED",
      "detect-dip SUCCEEDED",
      "post-to-slack SUCCEEDED",
    ]);
  });

  it("API tour: deploys (FlowStack synthesizes its state machine, task Lambda and schedule)", () => {
    // Bundled as the CDK app snippet below bundles it (the AWS SDK included): one esbuild run for both.
    const { template } = synth([toTheMoon], { bundleAwsSdk: true });
    template.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
    const machines = template.findResources("AWS::StepFunctions::StateMachine");
    const definition = JSON.stringify(Object.values(machines)[0]);
    for (const state of ["get-data", "detect-dip", "post-to-slack"]) expect(definition).toContain(state);
    expect(Object.keys(template.findResources("AWS::Events::Rule")).length + Object.keys(template.findResources("AWS::Scheduler::Schedule")).length).toBeGreaterThan(0);
  });

  it("CDK app snippet: constructs its FlowStack (FlowStack checks the flows and bundles their tasks)", async () => {
    await expect(import("./app/cdk-app.ts")).resolves.toBeDefined();
  }, 120_000);

  describe("client snippet, against the AWS APIs it calls", () => {
    // Step Functions is mocked (no account here); the history table is dynalite, written by the
    // runtime's real recorder when the mocked StartExecution "starts" the run.
    const sfn = mockClient(SFNClient);
    const saved = saveProcessState();
    let dynamo: Awaited<ReturnType<typeof startDynamo>>;
    beforeAll(async () => {
      dynamo = await startDynamo();
      const table = await createHistoryTable(dynamo.config, "stepflow-history");
      Object.assign(process.env, {
        STEPFLOW_HISTORY_TABLE: table,
        STEPFLOW_RESULTS_BUCKET: "results",
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.config.endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      });
    });
    afterAll(async () => {
      restoreProcessState(saved);
      sfn.restore();
      await dynamo?.stop();
    });

    it("starts a run with validated params, prints its id, console link and result, reads history, cancels", async () => {
      const writer = historyWriter({ table: "stepflow-history", clientConfig: dynamo.config, flow: "crypto-dip", tasks: {} });
      sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: "stepflow-crypto-dip", stateMachineArn: smArn("crypto-dip"), type: "STANDARD", creationDate: new Date(0) }] });
      sfn.on(StartExecutionCommand).callsFake(async (input: { name: string }) => {
        await writer.status(input.name, "RUNNING", Date.now());
        return { executionArn: execArn("crypto-dip", input.name), startDate: new Date() };
      });
      sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => ({ executionArn: input.executionArn, stateMachineArn: smArn("crypto-dip"), status: "SUCCEEDED", startDate: new Date(0), stopDate: new Date(1), output: '{"v":true}' }));
      sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
      const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
      try {
        await import("./app/start-runs.ts");
        const [[runId, consoleUrl], [result]] = log.mock.calls as [string, string][];
        expect(runId).toMatch(/^crypto-dip-\d{8}T\d{6}Z-[0-9a-z]{12}$/);
        expect(consoleUrl).toContain(`execution:stepflow-crypto-dip:${runId}`);
        expect(result).toBe(true);
      } finally {
        log.mockRestore();
      }
      const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input ?? "{}") as unknown;
      expect(JSON.stringify(input)).toContain('"coin":"BTC"');
      expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(1);
    }, 60_000);
  });

  describe("shell snippets", () => {
    const lines = stepflowLines();

    it("has stepflow lines (run, graph, plan, trigger, runs, secret, rehearse)", () => {
      expect(new Set(lines.map((l) => l[0]))).toEqual(new Set(["run", "graph", "plan", "trigger", "runs", "secret", "rehearse", ...lines.map((l) => l[0])]));
      expect(lines.length).toBeGreaterThan(15);
    });

    it("uses only commands and options the CLI has", async () => {
      const io = { stdout: { isTTY: false, write: () => true }, stderr: { isTTY: false, write: () => true } };
      const parsed: string[] = [];
      for (const argv of lines) {
        const program = createProgram(io);
        recordInsteadOfRun(program, parsed);
        await expect(program.parseAsync(asCall(argv), { from: "user" }), argv.join(" ")).resolves.toBeDefined();
      }
      expect(parsed.length).toBe(lines.length);
    });

    it("runs the local ones as written", async () => {
      const dir = tempDir("stepflow-readme-sh-");
      const local = lines.filter((l) => ["run", "graph", "plan"].includes(l[0]) && l.every((a) => !a.startsWith("<") && !a.startsWith("[")));
      expect(local.length).toBeGreaterThanOrEqual(3);
      for (const argv of local) {
        const r = await cli(argv[0] === "run" ? [...argv, "--dir", dir] : argv);
        expect(r.code, `${argv.join(" ")}\n${r.stderr}`).toBe(0);
        expect(r.stdout.length).toBeGreaterThan(0);
      }
    }, 120_000);
  });
});

/** Replaces every command's action with one that records the call. */
function recordInsteadOfRun(program: Command, parsed: string[]): void {
  for (const command of program.commands) {
    command.action(() => void parsed.push(command.name()));
    recordInsteadOfRun(command, parsed);
  }
}
