/**
 * One side of bench/local.ts in a loop, for a CPU profile of it: `node --cpu-prof --import tsx
 * bench/local-loop.ts <local|bare> <one|chain|map|mapchain> [runs]` (prints CPU per run). `one` is
 * a flow of one task: a run's fixed cost.
 */
import "../sdk/local/private/with-resolvers.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLocal } from "../sdk/local/index.ts";
import { bare } from "./local-bare.ts";
import { chain500Flow, mapChainFlow, mapFlow, oneFlow } from "./local-flows.ts";
const [side = "local", which = "chain", nArg] = process.argv.slice(2);
const flows = { one: [oneFlow, {}], chain: [chain500Flow, {}], map: [mapFlow, { n: 1000 }], mapchain: [mapChainFlow, { n: 1000 }] } as const;
const [f, params] = flows[which as keyof typeof flows];
const dir = await mkdtemp(join(tmpdir(), "stepflow-prof-"));
const n = Number(nArg ?? 50);
const run =
  side === "bare"
    ? bare(f as never, params, 1000)
    : async () => {
        const r = await runLocal(f as never, params as never, { dir });
        if (r.status !== "SUCCEEDED") throw new Error(JSON.stringify(r.error));
      };
for (let i = 0; i < 3; i++) await run();
const c = process.cpuUsage();
const t = performance.now();
for (let i = 0; i < n; i++) await run();
const u = process.cpuUsage(c);
console.log(`${side} ${which}: ${((performance.now() - t) / n).toFixed(2)} ms wall, ${((u.user + u.system) / 1000 / n).toFixed(2)} ms CPU per run`);
await rm(dir, { recursive: true, force: true });
process.exit(0);
