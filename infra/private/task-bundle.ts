/**
 * The Lambda bundle of one task: a generated entry that wraps the task's export with the
 * runtime's `lambdaHandler`, so the bundle holds that task's code and the runtime only.
 */
import { fileURLToPath } from "node:url";
import type { AnyTask } from "stepflow";
import { type Bundle, bundle } from "./bundle.ts";
import { locateTask } from "./locate-export.ts";

/** The runtime entry (`lambdaHandler`, `recorderHandler`). */
export const RUNTIME_ENTRY = fileURLToPath(new URL("../../functions/index.ts", import.meta.url));
/** The notifier entry (`notifierHandler`). */
export const NOTIFIER_ENTRY = fileURLToPath(new URL("../../functions/notifier.ts", import.meta.url));

/** Where bundles go and what they include. */
export interface BundleOptions {
  readonly outRoot: string;
  readonly bundleAwsSdk: boolean;
}

/** The generated entry source of a task's Lambda. */
export function taskEntry(file: string, exportName: string): string {
  return [
    `import { lambdaHandler } from ${JSON.stringify(RUNTIME_ENTRY)};`,
    `import { ${exportName} as __task } from ${JSON.stringify(file)};`,
    "export const handler = lambdaHandler(__task);",
    "",
  ].join("\n");
}

/** Builds the bundle of one task's Lambda. */
export function bundleTask(t: AnyTask, options: BundleOptions): Bundle {
  const { file, exportName } = locateTask(t);
  return bundle({
    source: taskEntry(file, exportName),
    resolveDir: process.cwd(),
    pureFiles: [file],
    ...options,
  });
}

/** Builds the bundle of a handler exported by a runtime module (`export { name as handler }`). */
export function bundleHandler(file: string, exportName: string, options: BundleOptions): Bundle {
  const source = `export { ${exportName} as handler } from ${JSON.stringify(file)};\n`;
  return bundle({ source, resolveDir: process.cwd(), pureFiles: [], ...options });
}
