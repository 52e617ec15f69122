/**
 * Finds the module and export name of a task, so a generated Lambda entry can import it.
 */
import { isAbsolute, resolve } from "node:path";
import type { GraphTask } from "../../sdk/graph/types.ts";
import { StepflowError } from "stepflow";
import { require as tsxRequire } from "tsx/cjs/api";

/** A task's module (absolute path) and the name it is exported under. */
interface TaskExport {
  readonly file: string;
  readonly exportName: string;
}

/** A module's exported tasks: by value, and by task name (in export order). */
interface TaskIndex {
  readonly byValue: ReadonlyMap<unknown, string>;
  readonly byName: ReadonlyMap<string, [string, GraphTask][]>;
}

/** Per module, built once: a 1,000-task module was scanned whole for each of its tasks. */
const modules = new Map<string, TaskIndex>();

/** The exports of a module this process has already loaded, by absolute file; `undefined` when it has not. */
export type LoadedModules = (file: string) => Record<string, unknown> | undefined;

let loaded: LoadedModules = () => undefined;

/**
 * Lets a process that loads flow modules its own way (vitest's module runner in this repo's
 * tests) hand their exports to `locateTask`, which then reads them instead of loading each
 * module, and everything it imports (the SDK, zod), a second time through tsx (~1 CPU-second
 * for the first module of a process). The answer is the same export, found by identity rather
 * than by name and options. Without it (`cdk synth`), modules load through tsx as before.
 */
export function useLoadedModules(lookup: LoadedModules): void {
  loaded = lookup;
}

/** The absolute file of a `path:line` call site (relative paths are from the working directory). */
function siteFile(site: string, what: string): string {
  const match = /^(.*):\d+$/.exec(site);
  if (!match) {
    throw new StepflowError(
      `${what} has no known source file (site \`${site}\`); define it at the top level of a module with \`task(...)\``,
    );
  }
  return isAbsolute(match[1]) ? match[1] : resolve(process.cwd(), match[1]);
}

/**
 * Imports the task's module (synchronously, with tsx, so constructors stay synchronous) and
 * finds the export that is this task: the same object when the module instance is shared,
 * otherwise the task with the same name and options (tsx loads its own instance).
 * @throws StepflowError when the task is not exported, saying how to export it.
 */
export function locateTask(t: GraphTask): TaskExport {
  const file = siteFile(t.site, `task \`${t.taskName}\``);
  let index = modules.get(file);
  if (!index) {
    index = indexTasks(loaded(file) ?? importModule(file, t.taskName));
    modules.set(file, index);
  }
  const named = index.byName.get(t.taskName) ?? [];
  const fingerprint = JSON.stringify(t.options);
  const name =
    index.byValue.get(t) ??
    named.find(([, v]) => JSON.stringify(v.options) === fingerprint)?.[0] ??
    named[0]?.[0];
  if (!name) {
    throw new StepflowError(
      `task \`${t.taskName}\` (${t.site}) is not exported from ${file}; write \`export const ... = task("${t.taskName}", ...)\` so its Lambda bundle can import it`,
    );
  }
  return { file, exportName: name };
}

function importModule(file: string, taskName: string): Record<string, unknown> {
  try {
    return tsxRequire(file, import.meta.url) as Record<string, unknown>;
  } catch (cause) {
    throw new StepflowError(
      `could not import ${file}, which defines task \`${taskName}\`, to bundle its Lambda: ${(cause as Error).message}; make the module importable without top-level await`,
      { cause },
    );
  }
}

function indexTasks(exports: Record<string, unknown>): TaskIndex {
  const byValue = new Map<unknown, string>();
  const byName = new Map<string, [string, GraphTask][]>();
  for (const [name, v] of Object.entries(exports)) {
    if (!byValue.has(v)) byValue.set(v, name);
    if (!isTask(v)) continue;
    const list = byName.get(v.taskName) ?? [];
    list.push([name, v]);
    byName.set(v.taskName, list);
  }
  return { byValue, byName };
}

function isTask(v: unknown): v is GraphTask {
  return typeof v === "function" && typeof (v as Partial<GraphTask>).taskName === "string" && "fn" in v;
}
