/**
 * Start-up of the `stepflow` CLI beside plain Node and tsx: wall time and CPU time (user + system,
 * from the child's resource usage) of each command, median of a few runs. CPU time is the figure
 * to compare on a shared machine, where wall time also counts waiting for a core.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median } from "./median.ts";
import { printTable } from "./print-table.ts";

const RUNS = 7;
const dir = mkdtempSync(join(tmpdir(), "stepflow-bench-cli-"));
const cases: [string, string[], NodeJS.ProcessEnv?][] = [
  ["node -e 0", ["node", "-e", "0"]],
  ["npx tsx -e 0", ["npx", "tsx", "-e", "0"]],
  ["stepflow --version", ["node", "bin/stepflow.js", "--version"]],
  ["stepflow run flows/hello.ts", ["node", "bin/stepflow.js", "run", "flows/hello.ts", "--dir", dir]],
  ["stepflow run flows/crypto-dip.ts (npm start)", ["node", "bin/stepflow.js", "run", "flows/crypto-dip.ts", "--dir", dir]],
  [
    "stepflow run flows/hello.ts, from source (tsx)",
    ["node", "bin/stepflow.js", "run", "flows/hello.ts", "--dir", dir],
    { STEPFLOW_CLI_FROM_SOURCE: "1" },
  ],
];

/** Wall and CPU milliseconds of one run, measured by `/usr/bin/time` around the command. */
function measure(argv: string[], env: NodeJS.ProcessEnv = {}): { wall: number; cpu: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S", ...argv], { env: { ...process.env, ...env }, encoding: "utf8" });
  const [wall, user, sys] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { wall: wall * 1000, cpu: (user + sys) * 1000 };
}

const rows = [["command", "wall (median)", "CPU (median)"]];
for (const [name, argv, env] of cases) {
  measure(argv, env); // warm: builds the CLI bundle and fills the OS file cache
  const runs = Array.from({ length: RUNS }, () => measure(argv, env));
  rows.push([name, `${median(runs.map((r) => r.wall)).toFixed(0)} ms`, `${median(runs.map((r) => r.cpu)).toFixed(0)} ms`]);
}
rmSync(dir, { recursive: true, force: true });
printTable(`CLI start-up (median of ${RUNS}; load average ${(await import("node:os")).loadavg()[0].toFixed(1)})`, rows);
