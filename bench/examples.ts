/**
 * Transitions per executed task for each example flow, run through `runLocal` with the real task
 * handler. Network and database tasks are replaced (taskOverrides) so the bench needs neither;
 * retries count as they do on AWS (each attempt is a transition).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AnyFlow, compile } from "../sdk/index.ts";
import type { GraphFlow } from "../sdk/graph/types.ts";
import { runLocal } from "../sdk/local/index.ts";
import { walk } from "../test/support/stand-in-run.ts";
import { cryptoDip } from "../flows/crypto-dip.ts";
import { cryptoDipMany } from "../flows/crypto-dip-many.ts";
import { etlMonths } from "../flows/etl.ts";
import { marketData } from "../flows/market-data.ts";
import { groupBy } from "../flows/lib/group-by.ts";
import { seededRandom, taxiTips, useRandom } from "../flows/taxi-tips.ts";
import { printTable } from "./print-table.ts";

const quote = (coin: string) => ({ coin, prices: [[0, 100], [1, 95], [2, coin === "DOGE" ? 70 : 99]] });

const examples: {
  flow: AnyFlow;
  params: Record<string, unknown>;
  label?: string;
  overrides?: Record<string, (...a: never[]) => unknown>;
}[] = [
  { flow: cryptoDip, params: {} },
  { flow: cryptoDip, params: { coin: "BTC" }, label: "crypto-dip (no dip)" },
  { flow: cryptoDipMany, params: { coins: ["BTC", "ETH", "DOGE", "ADA", "SOL"] }, overrides: { "fetch-prices": quote as never } },
  { flow: marketData, params: {} },
  { flow: taxiTips, params: { failureRate: 0.2 }, label: "taxi-tips (20 % failures, seeded)" },
  { flow: taxiTips, params: { failureRate: 0 }, label: "taxi-tips (no failures)" },
  {
    flow: etlMonths,
    params: {},
    overrides: { load: ((_url: string, table: string, month: string, orders: unknown[]) => ({ month, table, rows: orders.length })) as never },
  },
];

export async function examplesBench(): Promise<string[][]> {
  const rows = [["example", "task attempts", "transitions", "per task", "other states entered", "target"]];
  const dir = mkdtempSync(join(tmpdir(), "stepflow-bench-"));
  const cwd = process.cwd();
  // The same failures on every bench run.
  const restoreRandom = useRandom(seededRandom(42));
  try {
    for (const { flow, params, label, overrides } of examples) {
      const run = await runLocal(flow, params, { dir, fastRetries: true, missingSecrets: "empty", taskOverrides: overrides });
      if (run.status !== "SUCCEEDED") throw new Error(`${flow.flowName} ${run.status}: ${run.error?.message}`);
      let transitions = 0;
      const entered: Record<string, number> = {};
      const byRun = groupBy(run.tasks, (t) => t.runId);
      for (const tasks of byRun.values()) {
        const ran = new Map<string, number>();
        for (const t of tasks) if (t.attempt === 0) ran.set(t.state, (ran.get(t.state) ?? 0) + 1);
        const child = tasks[0].flow === flow.flowName ? flow : subflowNamed(flow, tasks[0].flow);
        walk(compile(child, { target: "local" }).definition, ran, entered);
        transitions += tasks.filter((t) => t.attempt > 0).length;
      }
      transitions += Object.values(entered).reduce((a, b) => a + b, 0);
      const attempts = run.tasks.length;
      // Task states that are not task attempts are subflow starts (`startExecution.sync`).
      const subflowStarts = (entered.Task ?? 0) - new Set(run.tasks.map((t) => `${t.runId} ${t.state} ${t.mapIndex}`)).size;
      const other = Object.entries({ ...entered, Task: subflowStarts })
        .filter(([, n]) => n > 0)
        .map(([type, n]) => `${type === "Task" ? "subflow start" : type} ${n}`)
        .join(", ");
      rows.push([label ?? flow.flowName, String(attempts), String(transitions), (transitions / attempts).toFixed(4), other || "none", "<= 1.02"]);
    }
  } finally {
    restoreRandom();
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function subflowNamed(parent: GraphFlow, name: string): GraphFlow {
  for (const call of parent.graph().calls) if (call.kind === "subflow" && call.flow.flowName === name) return call.flow;
  throw new Error(`no subflow ${name} in ${parent.flowName}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable("transitions per executed task, example flows (runLocal, real handler)", await examplesBench());
}
