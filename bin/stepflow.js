#!/usr/bin/env node
// The stepflow CLI. It runs compiled: the CLI and the flow files it is given are bundled by
// esbuild and cached (bin/private/compiled-cli.js), which starts much faster than transpiling
// TypeScript on every call. When that cannot be built, tsx is registered so the CLI (TypeScript)
// and the flow files load from source, as before. `STEPFLOW_CLI_FROM_SOURCE=1` forces the latter.
import { compiledMain } from "./private/compiled-cli.js";

// A reader that went away (`stepflow runs | head`) is not an error of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const main = (process.env.STEPFLOW_CLI_FROM_SOURCE ? undefined : await compiledMain(process.argv)) ?? (await fromSource());
process.exitCode = await main(process.argv);
// Exit explicitly (a task abandoned by a timeout may still hold a timer, and the run is over),
// but only once stdout and stderr are flushed: on a pipe, writes are asynchronous and exiting
// right away cuts the output at the pipe's buffer (64 KB).
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((done) => s.write("", done))));
process.exit();

async function fromSource() {
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("../sdk/cli/main.ts")).main;
}
