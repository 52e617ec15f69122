import type { Command } from "commander";
import { formatBytes } from "../private/format.ts";
import type { CliIo } from "../private/io.ts";
import { wholeNumber } from "../private/options.ts";
import { loadFlows, selectFlows } from "../private/load-flows.ts";
import { HISTORY_EVENT_LIMIT } from "../../core/history-events.ts";
import type { FlowPlan } from "../private/plan-model.ts";

/** `stepflow plan <file>`: states, transitions, payload, history and cost per flow, with limit warnings. */
export function planCommand(program: Command, io: CliIo): void {
  program
    .command("plan")
    .description(
      "estimate transitions, payload, history events and cost per run on AWS, and warn about limits",
    )
    .argument("<file>", "module that exports the flows")
    .option("--flow <name>", "only this flow")
    .option("--map-size <n>", "items per mapped list", "100")
    .action(async (file: string, o: { flow?: string; mapSize: string }) => {
      const mapSize = wholeNumber("map-size", o.mapSize, 0);
      const flows = selectFlows(file, await loadFlows(file), o.flow);
      // Loaded on use: the plan model compiles flows, and the compiler would slow down the
      // start-up of every command.
      const { planFlow } = await import("../private/plan-model.ts");
      const plans = flows.map((f) => render(planFlow(f, mapSize), mapSize, HISTORY_EVENT_LIMIT));
      io.stdout.write(plans.join("\n\n"));
      io.stdout.write("\n");
    });
}

function render(p: FlowPlan, mapSize: number, historyLimit: number): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const cost =
    p.type === "EXPRESS"
      ? "n/a (EXPRESS: billed per request and duration)"
      : `$${p.costPer1000Runs.toFixed(p.costPer1000Runs < 1 ? 3 : 2)}  (Standard, $0.025 per 1,000 transitions; Lambda not included)`;
  const lines = [
    `${p.flow}  (${p.type})`,
    `  states                    ${n(p.states)}`,
    `  transitions per run       ${n(p.transitions)}  (map size ${n(mapSize)}, longest path, subflows included, retries not counted)`,
    `  largest inline payload    ${formatBytes(p.payloadBytes)}  (upper bound without parameters; limit 256 KB)`,
    `  history events per run    ${n(p.historyEvents)}  (limit ${n(historyLimit)})`,
    `  cost per 1,000 runs       ${cost}`,
  ];
  if (p.warnings.length === 0) lines.push(`  ok: no limit is reached at map size ${n(mapSize)}`);
  for (const w of p.warnings) lines.push(`  ⚠ ${w}`);
  return lines.join("\n");
}
