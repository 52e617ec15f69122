// `npm test`: the UI's type check (TypeScript 7, its own tsconfig: DOM and Preact's JSX) beside
// the unit tier (vitest), not before it: the check took ~1 s of wall time on its own at the start
// of every run. vitest keeps the terminal; the check's output, if any, is printed once vitest
// ends, under a heading, so the two never interleave. Fails if either fails. Arguments go to
// vitest (`npm test -- test/infra`).
import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const node = process.execPath;

const uiCheck = run(
  [join(root, "node_modules/typescript7/bin/tsc"), "--noEmit", "--singleThreaded", "-p", "sdk/ui/app/tsconfig.json"],
  "pipe",
);
const unit = run(
  [join(root, "node_modules/vitest/vitest.mjs"), "run", "--project", "unit", ...process.argv.slice(2)],
  "inherit",
);

const [ui, tests] = await Promise.all([uiCheck, unit]);
if (ui.code !== 0 || ui.output.trim()) {
  process.stderr.write(`\nUI type check (tsc -p sdk/ui/app/tsconfig.json) ${ui.code === 0 ? "passed" : "failed"}:\n${ui.output}\n`);
}
process.exitCode = tests.code !== 0 ? tests.code : ui.code;

/** Runs `node args...` in the repository root; resolves with its exit code (1 if killed) and, when piped, its output. */
function run(args, stdio) {
  return new Promise((done, fail) => {
    const child = spawn(node, args, { cwd: root, stdio: ["inherit", stdio, stdio] });
    let output = "";
    for (const stream of [child.stdout, child.stderr]) stream?.on("data", (chunk) => (output += chunk));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}
