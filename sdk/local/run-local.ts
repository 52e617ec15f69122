import type { AnyFlow, FlowParams, FlowResult } from "../define/flow.ts";
import { LocalSession } from "./private/session.ts";
import type { LocalRun, RunLocalOptions } from "./types.ts";
import type { Json } from "../core/json.ts";

/**
 * Runs a flow on this machine: the state machine `compile(flow)` gives, the one AWS runs,
 * executed by aws-local-stepfunctions, with every Task state bound in-process to the same task
 * handler that runs in Lambda and the local stores under `.stepflow/` (results, history, secrets
 * from `STEPFLOW_SECRET_<NAME>` or `.stepflow/secrets.json`).
 *
 * As on AWS: retries follow each state's `Retry` (delays are real unless `fastRetries`), task
 * timeouts fail the attempt, the flow `timeout` ends the run `TIMED_OUT`, subflows run as nested
 * executions with their own run ids, and a Distributed Map (`large: true`, or a list too long for
 * an inline Map) reads its items from the stored list and runs each as a child execution with its
 * own history, however many there are. The run fails where AWS would fail it: 256 KB of state data
 * or task event, 25,000 history events per execution (see `LocalRun.stats`).
 *
 * The run and its task attempts are written to the local history, so `stepflow runs` lists them.
 * @throws ParamsError naming every bad parameter, before anything runs.
 * @throws FlowDefinitionError listing every problem of the flow.
 * @example
 * const run = await runLocal(toTheMoon, { coin: "BTC" }, { fastRetries: true });
 * if (run.status === "SUCCEEDED") console.log(run.result);
 */
export async function runLocal<F extends AnyFlow>(
  flow: F,
  params?: FlowParams<F>,
  options: RunLocalOptions = {},
): Promise<LocalRun<FlowResult<F>>> {
  const input = flow.parse(params ?? {}) as Json;
  const run = await new LocalSession(options).run(flow, input);
  return run as LocalRun<FlowResult<F>>;
}
