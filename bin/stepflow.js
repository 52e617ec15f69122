#!/usr/bin/env node
// The stepflow CLI. tsx is registered first so that the CLI (TypeScript) and the user's flow
// files (TypeScript, importing "stepflow") load without a build step.
import { register } from "tsx/esm/api";

// A reader that went away (`stepflow runs | head`) is not an error of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import("../sdk/cli/main.ts");
process.exitCode = await main(process.argv);
// Exit explicitly (a task abandoned by a timeout may still hold a timer, and the run is over),
// but only once stdout and stderr are flushed: on a pipe, writes are asynchronous and exiting
// right away cuts the output at the pipe's buffer (64 KB).
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((done) => s.write("", done))));
process.exit();
