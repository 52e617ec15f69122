import { readFileSync } from "node:fs";
import { Command } from "commander";
import { graphCommand } from "./commands/graph.ts";
import { planCommand } from "./commands/plan.ts";
import { rehearseCommand } from "./commands/rehearse.ts";
import { retryCommand } from "./commands/retry.ts";
import { runCommand } from "./commands/run.ts";
import { runsCommand } from "./commands/runs.ts";
import { secretCommand } from "./commands/secret.ts";
import { triggerCommand } from "./commands/trigger.ts";
import { uiCommand } from "./commands/ui.ts";
import type { CliIo } from "./private/io.ts";

/**
 * The `stepflow` command line: one file per command under `commands/`, each registering itself
 * on the program (`trigger`, `runs --remote` and `secret set` join the same way).
 */
export function createProgram(io: CliIo): Command {
  const program = new Command("stepflow")
    .description("serverless workflows: Prefect-style TypeScript flows compiled to AWS Step Functions")
    .version(version(), "-V, --version", "print the version of stepflow")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  runCommand(program, io);
  graphCommand(program, io);
  planCommand(program, io);
  runsCommand(program, io);
  triggerCommand(program, io);
  secretCommand(program, io);
  rehearseCommand(program, io);
  uiCommand(program, io);
  retryCommand(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** The package's version, from its package.json. */
function version(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}
