/**
 * Runs every benchmark script in turn (each prints its own table). Figures are recorded in
 * bench/RESULTS.md. Scripts run in separate processes so one's warm caches don't flatter another.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const scripts = ["compile.ts", "examples.ts", "plan.ts", "local.ts", "state-data.ts", "map-switch.ts", "runs.ts", "cli-startup.ts", "ui.ts", "cdk.ts", "bundle-scale.ts", "synth-scale.ts", "rehearse.ts"].filter((s) => existsSync(`${here}${s}`));
let failed = 0;
for (const script of scripts) {
  const run = spawnSync(process.execPath, ["--import", "tsx", `${here}${script}`], { stdio: "inherit" });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
