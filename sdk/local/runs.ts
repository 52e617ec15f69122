import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  type FlowRunRecord,
  type FlowRunStatus,
  localDir,
  localHistoryStore,
  type TaskRunRecord,
} from "../../functions/index.ts";
import { flowPrefixOf, isShortened } from "./private/run-id.ts";

/** Options of `listLocalRuns`. */
export interface ListLocalRunsOptions {
  /** The project folder. @default `.stepflow` in the current directory */
  readonly dir?: string;
  /** Only this flow's runs. @default every flow */
  readonly flow?: string;
  /** Only runs with this status. @default every status */
  readonly status?: FlowRunStatus;
  /** At most this many runs, newest first. @default 50 */
  readonly limit?: number;
}

/** A past local run and its task attempts. */
export interface LocalRunDetails {
  readonly run: FlowRunRecord | undefined;
  readonly tasks: readonly TaskRunRecord[];
}

/**
 * Past local runs, newest first, from the local history (`<dir>/history/`).
 * @example for (const r of await listLocalRuns({ flow: "crypto-dip" })) console.log(r.runId, r.status);
 */
export async function listLocalRuns(options: ListLocalRunsOptions = {}): Promise<FlowRunRecord[]> {
  const store = localHistoryStore({ dir: options.dir });
  const query = { status: options.status, limit: options.limit ?? 50 };
  const flows = options.flow ? [options.flow] : await knownFlows(options.dir);
  const runs = (await Promise.all(flows.map((f) => store.listRuns(f, query)))).flat();
  return runs
    .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
    .slice(0, query.limit);
}

/**
 * One past local run with its task attempts (in state / index / attempt order).
 * @example const { run, tasks } = await getLocalRun("crypto-dip-20250501T120000-3f9a");
 */
export async function getLocalRun(
  runId: string,
  options: { readonly dir?: string } = {},
): Promise<LocalRunDetails> {
  return localHistoryStore({ dir: options.dir }).getRun(runId);
}

/** Flow names of the runs in the history: read from run ids, which start with the flow name. */
async function knownFlows(dir: string | undefined): Promise<string[]> {
  const store = localHistoryStore({ dir });
  let entries: string[];
  try {
    // The local history store keeps one folder per run, named by the URI-encoded run id.
    entries = await readdir(join(localDir({ dir }), "history"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const flows = new Set<string>();
  const unsure: string[] = [];
  for (const entry of entries) {
    const runId = decodeURIComponent(entry);
    const prefix = flowPrefixOf(runId);
    if (prefix && !isShortened(prefix)) flows.add(prefix);
    else unsure.push(runId);
  }
  for (const { run } of await Promise.all(unsure.map((id) => store.getRun(id)))) if (run) flows.add(run.flow);
  return [...flows].sort();
}
