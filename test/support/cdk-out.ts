/**
 * The cloud assembly folders aws-cdk-lib makes for an `App` given no `outdir`: `cdk.out*` under
 * the OS temp folder, which it removes only on the process's `exit` event (a test worker is
 * stopped without one). Test files synthesize many Apps; test/setup.ts removes their folders
 * after each file through aws-cdk-lib's own `CloudAssembly.cleanupTemporaryDirectories`.
 */
import { createRequire } from "node:module";
import { join } from "node:path";

const MODULE = join("@aws-cdk", "cloud-assembly-api", "lib", "cloud-assembly.js");

/** Removes the temporary cloud assemblies this process made, if aws-cdk-lib is loaded (never loads it). */
export function removeCdkOutDirs(): void {
  const { cache } = createRequire(import.meta.url);
  for (const [file, loaded] of Object.entries(cache)) {
    if (!file.endsWith(MODULE)) continue;
    const { CloudAssembly } = loaded?.exports as { CloudAssembly?: { cleanupTemporaryDirectories(): void } };
    CloudAssembly?.cleanupTemporaryDirectories();
  }
}
