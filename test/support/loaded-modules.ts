/**
 * The exports of the modules vitest has already evaluated in this worker, for `locateTask`
 * (infra/private/locate-export.ts): the unit tier's synths then find a task's export in the
 * flow module the test imported instead of loading it again, with the SDK it imports, through
 * tsx (~1 CPU-second per worker, ~1 more for a flow that imports the Lambda runtime).
 * It reads vitest's worker state (not a public API: vitest 4 keeps its module runner's
 * `EvaluatedModules`, Vite's public class, there); when that is missing or the module is not
 * evaluated yet, it answers `undefined` and the module loads through tsx as in `cdk synth`.
 */
interface EvaluatedModule {
  readonly evaluated: boolean;
  readonly exports?: Record<string, unknown>;
}

interface WorkerState {
  readonly evaluatedModules?: { getModulesByFile(file: string): Iterable<EvaluatedModule> | undefined };
}

export function loadedByVitest(file: string): Record<string, unknown> | undefined {
  const state = (globalThis as { __vitest_worker__?: WorkerState }).__vitest_worker__;
  for (const module of state?.evaluatedModules?.getModulesByFile(file) ?? []) {
    if (module.evaluated && module.exports) return module.exports;
  }
  return undefined;
}
