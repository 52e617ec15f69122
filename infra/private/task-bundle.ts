/**
 * The Lambda bundles stepflow builds: per task, a generated entry that wraps the task's export
 * with the runtime's `lambdaHandler`, so the bundle holds that task's code and the runtime
 * only; and the recorder and notifier handlers.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GraphTask } from "../../sdk/graph/types.ts";
import type { BundleRequest } from "./bundle.ts";
import { locateTask } from "./locate-export.ts";

/** The runtime entry (`lambdaHandler`, `recorderHandler`, `notifierHandler`): every bundle's handler comes from it. */
export const RUNTIME_ENTRY = fileURLToPath(new URL("../../functions/index.ts", import.meta.url));

/** Where bundles go and what they include. */
export interface BundleOptions {
  readonly outRoot: string;
  readonly bundleAwsSdk: boolean;
}

/**
 * Bundle options with their defaults. `FlowStack` pre-builds every bundle and its constructs
 * build them again from the cache, which is keyed by the whole request: both use this, so the
 * requests match.
 */
export function bundleOptions(props: { readonly bundleDir?: string; readonly bundleAwsSdk?: boolean }): BundleOptions {
  return {
    outRoot: props.bundleDir ?? join(process.cwd(), ".stepflow", "bundles"),
    bundleAwsSdk: props.bundleAwsSdk ?? true,
  };
}

/** The generated entry source of a task's Lambda. */
function taskEntry(file: string, exportName: string): string {
  return [
    `import { lambdaHandler } from ${JSON.stringify(RUNTIME_ENTRY)};`,
    `import { ${exportName} as __task } from ${JSON.stringify(file)};`,
    "export const handler = lambdaHandler(__task);",
    "",
  ].join("\n");
}

/** What to build for one task's Lambda. */
export function taskRequest(t: GraphTask, options: BundleOptions): BundleRequest {
  const { file, exportName } = locateTask(t);
  return taskExportRequest(file, exportName, options);
}

/** What to build for the Lambda of the task exported as `exportName` by `file` (an absolute path). */
export function taskExportRequest(file: string, exportName: string, options: BundleOptions): BundleRequest {
  const slice = { file, exportName };
  return { source: taskEntry(file, exportName), resolveDir: process.cwd(), pureFiles: [file], slice, ...options };
}

/** What to build for a handler the runtime entry exports (`recorderHandler`, `notifierHandler`). */
export function handlerRequest(exportName: string, options: BundleOptions): BundleRequest {
  const source = `export { ${exportName} as handler } from ${JSON.stringify(RUNTIME_ENTRY)};\n`;
  return { source, resolveDir: process.cwd(), pureFiles: [], ...options };
}
