/**
 * Finds the module and export name of a task, so a generated Lambda entry can import it.
 */
import { isAbsolute, resolve } from "node:path";
import type { GraphTask } from "stepflow";
import { StepflowError } from "stepflow";
import { require as tsxRequire } from "tsx/cjs/api";

/** A task's module (absolute path) and the name it is exported under. */
interface TaskExport {
  readonly file: string;
  readonly exportName: string;
}

const modules = new Map<string, Record<string, unknown>>();

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
  let exports = modules.get(file);
  if (!exports) {
    try {
      exports = tsxRequire(file, import.meta.url) as Record<string, unknown>;
    } catch (cause) {
      throw new StepflowError(
        `could not import ${file}, which defines task \`${t.taskName}\`, to bundle its Lambda: ${(cause as Error).message}; make the module importable without top-level await`,
        { cause },
      );
    }
    modules.set(file, exports);
  }
  const entries = Object.entries(exports);
  const same = entries.find(([, v]) => v === t);
  const fingerprint = JSON.stringify(t.options);
  const named = entries.filter(([, v]) => isTask(v) && v.taskName === t.taskName);
  const match =
    same ?? named.find(([, v]) => JSON.stringify((v as GraphTask).options) === fingerprint) ?? named[0];
  if (!match) {
    throw new StepflowError(
      `task \`${t.taskName}\` (${t.site}) is not exported from ${file}; write \`export const ... = task("${t.taskName}", ...)\` so its Lambda bundle can import it`,
    );
  }
  return { file, exportName: match[0] };
}

function isTask(v: unknown): v is GraphTask {
  return typeof v === "function" && typeof (v as Partial<GraphTask>).taskName === "string" && "fn" in v;
}
