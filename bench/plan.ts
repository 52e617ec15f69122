/**
 * `stepflow plan` estimates for a 100,000-item fan-out, inline vs declared large (Distributed
 * Map): payload and history per execution against the Step Functions limits.
 */
import { flow, task } from "../sdk/index.ts";
import { planFlow } from "../sdk/cli/private/plan-model.ts";
import { printTable } from "./print-table.ts";

const keys = task("list-keys", () => [] as string[]);
const inline = task("process", (key: string) => key.length);
const large = task("process-large", { large: true }, (key: string) => key.length);
const total = task("total", (xs: number[]) => xs.length);

const inlineFlow = flow("fan-out-inline", () => total(inline.map(keys())));
const largeFlow = flow("fan-out-large", () => total(large.map(keys())));

const rows: string[][] = [["flow (map of 100,000)", "largest payload", "history events / execution", "transitions", "$ per 1,000 runs"]];
for (const f of [inlineFlow, largeFlow]) {
  const p = planFlow(f, 100_000);
  rows.push([
    p.flow,
    `${(p.payloadBytes / 1024).toFixed(1)} KB`,
    p.historyEvents.toLocaleString("en-US"),
    p.transitions.toLocaleString("en-US"),
    p.costPer1000Runs.toFixed(2),
  ]);
}
printTable("plan: 100,000-item map (limits: 256 KB payload, 25,000 history events)", rows);
