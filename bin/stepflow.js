#!/usr/bin/env node
// The stepflow CLI. tsx is registered first so that the CLI (TypeScript) and the user's flow
// files (TypeScript, importing "stepflow") load without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../sdk/cli/main.ts");
// Exit explicitly: a task abandoned by a timeout may still hold a timer, and the run is over.
process.exit(await main(process.argv));
