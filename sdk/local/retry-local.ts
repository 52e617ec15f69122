import { ResultNotFoundError } from "../../functions/errors.ts";
import { localHistoryStore } from "../../functions/stores/local-history-store.ts";
import { localResultStore } from "../../functions/stores/local-result-store.ts";
import type { ResultStore } from "../../functions/stores/types.ts";
import { StepflowError } from "../core/errors.ts";
import { assertRunId } from "../core/run-id.ts";
import type { AnyFlow, FlowResult } from "../define/flow.ts";
import { LocalSession } from "./private/session.ts";
import { type RetryRecord, retryRecordKey } from "./private/reuse.ts";
import type { LocalRun, RunLocalOptions } from "./types.ts";

/** A run `retryLocal` cannot resume: it is unknown, succeeded, or left nothing to reuse. */
export class RetryError extends StepflowError {
  override name = "RetryError";
}

/**
 * Runs a failed local run of `flow` again (Prefect's retry from the failed task; Step Functions'
 * redrive): the same parameters, every task call (by state and map index) and subflow call that
 * succeeded in it reused as it returned there, and the rest run. The new run has its own run id;
 * its `retryOf` names the old one and `reused` lists what was not run again.
 * @throws RetryError when the run did not fail here (unknown, succeeded, or still running).
 * @example const again = await retryLocal(taxiTips, run.runId, { fastRetries: true });
 */
export async function retryLocal<F extends AnyFlow>(
  flow: F,
  runId: string,
  options: RunLocalOptions = {},
): Promise<LocalRun<FlowResult<F>>> {
  const results = options.stores?.results ?? localResultStore({ dir: options.dir });
  const record = await readRetryRecord(results, flow.flowName, runId);
  const run = await new LocalSession(options, { runId, record }).run(flow, record.params);
  return run as LocalRun<FlowResult<F>>;
}

/** Where a failed local run's flow is defined: its name and module, for `stepflow retry <runId>`. */
export async function findLocalRetry(
  runId: string,
  options: Pick<RunLocalOptions, "dir"> = {},
): Promise<{ readonly flow: string; readonly file: string | undefined }> {
  assertRunId(runId, "the run id");
  const { run } = await localHistoryStore({ dir: options.dir }).getRun(runId);
  if (!run) {
    throw new RetryError(
      `there is no local run \`${runId}\` in \`${options.dir ?? ".stepflow"}\`; list runs with \`stepflow runs\` (pass \`--dir\` if the run used another folder)`,
    );
  }
  const record = await readRetryRecord(localResultStore({ dir: options.dir }), run.flow, runId, run.status);
  return { flow: record.flow, file: record.file ?? undefined };
}

async function readRetryRecord(
  results: ResultStore,
  flow: string,
  runId: string,
  status?: string,
): Promise<RetryRecord> {
  try {
    return (await results.get(retryRecordKey(flow, runId))) as unknown as RetryRecord;
  } catch (error) {
    if (!(error instanceof ResultNotFoundError)) throw error;
    const why = status === "SUCCEEDED" ? "it succeeded" : status === "RUNNING" ? "it is still running" : "it left no retry record (it succeeded, is still running, or ran with other stores)";
    throw new RetryError(
      `run \`${runId}\` of flow \`${flow}\` cannot be retried: ${why}; only a run that failed, timed out or was aborted can be, with the same \`dir\` and stores`,
      { cause: error },
    );
  }
}
