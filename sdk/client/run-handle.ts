import {
  DescribeExecutionCommand,
  type SFNClient,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { consoleUrl } from "../../functions/status-event.ts";
import { decodeOutput } from "../../functions/resolve-output.ts";
import { type HistoryStore, type ResultStore, type TaskRunRecord } from "../../functions/stores/types.ts";
import { ExpressRunError, RunFailedError, WaitTimeoutError } from "./errors.ts";
import { awsCall, type RetryPolicy } from "./private/aws-call.ts";
import { isExpressExecution } from "./private/express.ts";
import { runDescription } from "./private/run-description.ts";
import { sleep } from "../core/sleep.ts";
import type { ExecutionStatus } from "../core/status.ts";
import type { RunDescription, WaitOptions } from "./types.ts";
import type { OutputShape } from "../core/protocol.ts";

/** What a handle needs from its client. @internal */
export interface RunHandleDeps {
  readonly sfn: SFNClient;
  readonly retry: RetryPolicy;
  readonly results: () => ResultStore;
  readonly history: () => HistoryStore;
  /** How to decode the output; `undefined` when the run was started by flow name. */
  readonly shape: OutputShape | undefined;
}

/**
 * A run on AWS (a Step Functions execution), as `StepflowClient.start` returns it.
 * @example
 * const run = await client.start(toTheMoon, { coin: "BTC" });
 * console.log(run.consoleUrl);
 * const result = await run.result({ timeout: 60_000 });
 */
export class RunHandle<R = unknown> {
  /** The run id: the execution name. */
  readonly runId: string;
  readonly executionArn: string;
  /** The flow's name. */
  readonly flow: string;
  /** The execution's page in the Step Functions console. */
  readonly consoleUrl: string;
  /** How the run ended, once `wait` has seen it end: an ended execution never changes. */
  #ended: RunDescription | undefined;

  /** @internal use `StepflowClient.start` or `StepflowClient.handle` */
  constructor(
    flow: string,
    executionArn: string,
    private readonly deps: RunHandleDeps,
    ended?: RunDescription,
  ) {
    this.flow = flow;
    this.executionArn = executionArn;
    this.#ended = ended;
    // An Express execution ARN ends in `<name>:<id>`; a Standard one in `<name>`.
    const parts = executionArn.split(":");
    this.runId = ended?.runId ?? (isExpressExecution(executionArn) ? parts[7] : parts.at(-1)) ?? executionArn;
    this.consoleUrl = consoleUrl(executionArn);
  }

  /** The run's current status (one `DescribeExecution`). */
  async status(): Promise<ExecutionStatus> {
    return (await this.describe()).status;
  }

  /**
   * The run as Step Functions describes it now (one `DescribeExecution`). An Express run
   * started by `start(flow, ...)` is described by how it ended, with no request.
   * @throws ExpressRunError for any other Express run: Step Functions cannot describe those.
   */
  async describe(): Promise<RunDescription> {
    if (this.#ended && isExpressExecution(this.executionArn)) return this.#ended;
    this.refuseExpress("DescribeExecution");
    const out = await awsCall(
      { action: "states:DescribeExecution", flow: this.flow, run: this.runId, resource: this.executionArn },
      this.deps.retry,
      () => this.deps.sfn.send(new DescribeExecutionCommand({ executionArn: this.executionArn })),
    );
    return runDescription(this.runId, this.executionArn, out, "RUNNING");
  }

  /**
   * Waits until the run ends and returns how it ended (it does not throw when the run failed;
   * `result()` does). Polls `DescribeExecution` with a delay growing from `pollInterval`; once it
   * has seen the run end it answers from that, so `wait()` then `result()` asks AWS once.
   * @throws WaitTimeoutError when `timeout` passes first; the run goes on.
   * @example const { status } = await run.wait({ timeout: 5 * 60_000, onTask: (t) => console.log(t.state, t.status) });
   */
  async wait(options: WaitOptions = {}): Promise<RunDescription> {
    if (this.#ended) return this.#ended;
    const started = Date.now();
    const maxDelay = options.maxPollInterval ?? 10_000;
    let delay = options.pollInterval ?? 1000;
    const seen = new Map<string, string>();
    const history = options.onTask ? this.deps.history() : undefined;
    for (;;) {
      const run = await this.describe();
      if (history && options.onTask) await this.reportTasks(history, seen, options.onTask);
      if (run.status !== "RUNNING") {
        this.#ended = run;
        return run;
      }
      const left = options.timeout === undefined ? delay : options.timeout - (Date.now() - started);
      if (left <= 0) {
        throw new WaitTimeoutError(
          `run \`${this.runId}\` of flow \`${this.flow}\` was still RUNNING after ${options.timeout} ms; it goes on: wait again with a larger \`timeout\`, or follow it at ${this.consoleUrl}`,
        );
      }
      await sleep(Math.min(delay, left), options.signal);
      delay = Math.min(maxDelay, Math.round(delay * 1.5));
    }
  }

  /**
   * Waits for the run to end and returns the flow's result, decoded: inline values as they are,
   * stored values read from the results bucket, Map results as lists.
   * @throws RunFailedError with the run's error and cause when it did not succeed.
   * @throws WaitTimeoutError when `timeout` passes first.
   */
  async result(options: WaitOptions = {}): Promise<R> {
    const run = await this.wait(options);
    if (run.status !== "SUCCEEDED") {
      const why = [run.error, run.cause].filter(Boolean).join(": ") || "no error was reported";
      throw new RunFailedError(
        `run \`${this.runId}\` of flow \`${this.flow}\` ended ${run.status}, so it has no result (${why}); see ${this.consoleUrl}, fix the cause and start a new run`,
        { runId: this.runId, status: run.status, error: run.error, cause: run.cause },
      );
    }
    return (await decodeOutput(run.output ?? null, this.deps.shape, this.deps.results)) as R;
  }

  /**
   * Stops the run (`StopExecution`); it ends ABORTED.
   * @example await run.cancel({ cause: "started with the wrong coin" });
   */
  async cancel(options: { readonly error?: string; readonly cause?: string } = {}): Promise<void> {
    this.refuseExpress("StopExecution");
    await awsCall(
      { action: "states:StopExecution", flow: this.flow, run: this.runId, resource: this.executionArn },
      this.deps.retry,
      () => this.deps.sfn.send(new StopExecutionCommand({ executionArn: this.executionArn, ...options })),
    );
  }

  private refuseExpress(api: string): void {
    if (!isExpressExecution(this.executionArn)) return;
    throw new ExpressRunError(
      `run \`${this.runId}\` of flow \`${this.flow}\` is an Express execution, which Step Functions cannot \`${api}\` (Express workflows keep no execution history); start it with \`client.start(flow, ...)\` given the flow object, which runs it with \`StartSyncExecution\` and returns when it has ended, or read its task runs with \`client.run(runId)\``,
    );
  }

  private async reportTasks(
    history: HistoryStore,
    seen: Map<string, string>,
    onTask: (record: TaskRunRecord) => void,
  ): Promise<void> {
    const { tasks } = await history.getRun(this.runId);
    const fresh = tasks.filter((t) => {
      const key = `${t.state}#${t.mapIndex ?? ""}#${t.attempt}`;
      if (seen.get(key) === t.status) return false;
      seen.set(key, t.status);
      return true;
    });
    fresh.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
    for (const t of fresh) onTask(t);
  }
}

