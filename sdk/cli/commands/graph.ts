import type { Command } from "commander";
import { CliError } from "../private/cli-error.ts";
import { toDot, toMermaid } from "../private/graph-render.ts";
import type { CliIo } from "../private/io.ts";
import { loadFlows, pickFlow } from "../private/load-flows.ts";

const FORMATS = ["mermaid", "dot", "asl"] as const;

/** `stepflow graph <file>`: the flow's DAG (Mermaid or DOT) or its compiled ASL. */
export function graphCommand(program: Command, io: CliIo): void {
  program
    .command("graph")
    .description("print a flow's graph (mermaid, dot) or its compiled state machine (asl)")
    .argument("<file>", "module that exports the flow")
    .option("--flow <name>", "the flow to draw when the file exports several")
    .option("--format <format>", `one of ${FORMATS.join(", ")}`, "mermaid")
    .action(async (file: string, o: { flow?: string; format: string }) => {
      if (!FORMATS.includes(o.format as (typeof FORMATS)[number])) {
        throw new CliError(`\`--format ${o.format}\` is unknown; use one of ${FORMATS.join(", ")}`);
      }
      const flow = pickFlow(file, await loadFlows(file), o.flow);
      // Loaded on use: the compiler would slow down the start-up of every command.
      const { compile } = await import("../../compile/compile.ts");
      const text =
        o.format === "asl"
          ? JSON.stringify(compile(flow).definition, null, 2)
          : o.format === "dot"
            ? toDot(flow.graph())
            : toMermaid(flow.graph());
      io.stdout.write(`${text}\n`);
    });
}
