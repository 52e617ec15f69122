// aws-local-stepfunctions needs Promise.withResolvers (Node 22+); with-resolvers.ts provides it
// on Node 20, the Node this project supports.
import "../sdk/local/private/with-resolvers.ts";
import { afterAll } from "vitest";
import { useWorkerRun } from "../infra/private/bundle.ts";
import { useLoadedModules } from "../infra/private/locate-export.ts";
import { threadWorkerRun } from "./support/bundle-thread.ts";
import { useSharedAjv } from "./support/shared-ajv.ts";
import { loadedByVitest } from "./support/loaded-modules.ts";
import { removeCdkOutDirs } from "./support/cdk-out.ts";
import { restoreProcessState, saveProcessState } from "./support/process-state.ts";
import { removeTempDirs } from "./support/temp-dir.ts";

// The AWS SDK warns once per process that its releases after January 2027 need Node 22; this
// project supports Node 20 on purpose (see README), so the test output skips that notice through
// the SDK's own switch. Other warnings still print.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// The unit tier runs several files in one process (`isolate: false` in vitest.config.ts), and
// this file runs again before each of them: what a file does to environment variables or the
// working directory is undone when it ends, so the next file starts as this one did, and the
// temporary folders it made are removed, aws-cdk-lib's cloud assemblies (`cdk.out*`) included.
const state = saveProcessState();
// Synths find a task's export in the flow module the test already imported (not loaded again through tsx).
useLoadedModules(loadedByVitest);
// Synths bundle in a worker thread of this process that keeps esbuild loaded (not a process per build).
useWorkerRun(threadWorkerRun);
// asl-validator compiles its schema once per process, not once per new definition the local runner checks.
useSharedAjv();
afterAll(() => {
  removeTempDirs();
  removeCdkOutDirs();
  restoreProcessState(state);
});
