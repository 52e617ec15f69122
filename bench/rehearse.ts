/**
 * Rehearsal wall time: `stepflow rehearse` of one small flow (hello, two tasks) from nothing to
 * its result, split into synth + moto start + deploy (`Rehearsal.start`) and the run itself
 * (start, two Lambda invocations in fresh workers, status events, history read back).
 * Target: <= 20 s in all. Needs python3 with moto 5.2.1.
 * Run: `npx tsx bench/rehearse.ts` (one cold run: what a user waits for).
 */
import { Rehearsal } from "stepflow/rehearse";
import { hello } from "../flows/hello.ts";
import { printTable } from "./print-table.ts";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const t0 = Date.now();
const rehearsal = await Rehearsal.start({ flows: [hello] });
const deployed = Date.now();
let ran: number;
try {
  const run = await rehearsal.run(hello, { name: "bench" });
  if (run.status !== "SUCCEEDED" || run.problems.length > 0) throw new Error(`rehearsal failed: ${JSON.stringify(run)}`);
  ran = Date.now();
} finally {
  await rehearsal.stop();
}
printTable("Rehearsal of hello (target: <= 20 s in all)", [
  ["phase", "wall time"],
  ["synth + moto start + deploy", seconds(deployed - t0)],
  ["run (2 tasks) + events + history", seconds(ran - deployed)],
  ["total", seconds(ran - t0)],
]);
