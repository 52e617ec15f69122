/**
 * The runtime's history writers on a DynamoDB table, as deployed: the task handler (task runs,
 * attempts, errors) and the recorder (flow runs from status events). The client's tests read
 * what these write, so the records are the real ones.
 */
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import {
  awsHistoryStore,
  createRecorder,
  createTaskHandler,
  type TaskLookup,
} from "../../../functions/index.ts";
import type { ExecutionStatusDetail } from "../../../functions/status-event.ts";
import { memoryResults, memorySecrets, quietLogger } from "../../functions/support/memory-stores.ts";
import { request } from "../../functions/support/request.ts";
import { execArn, smArn } from "./mocks.ts";

export interface HistoryWriterOptions {
  readonly table: string;
  readonly clientConfig: DynamoDBClientConfig;
  /** The flow every run belongs to. */
  readonly flow: string;
  readonly tasks: TaskLookup;
  /** The execution input every status event carries. @default none */
  readonly input?: Record<string, unknown>;
}

/** Writes history for runs of `options.flow` through the real task handler and recorder. */
export function historyWriter(options: HistoryWriterOptions) {
  const { flow } = options;
  const history = awsHistoryStore({ table: options.table, clientConfig: options.clientConfig });
  const handle = createTaskHandler({
    tasks: options.tasks,
    results: memoryResults(),
    history,
    secrets: memorySecrets({}),
    logger: quietLogger(),
  });
  const record = createRecorder({ history, logger: quietLogger() });
  /** Records a status change of run `run` (started at `startDate`, epoch ms). */
  const status = (run: string, s: string, startDate: number, more: Partial<ExecutionStatusDetail> = {}) =>
    record({
      detail: {
        executionArn: execArn(flow, run),
        stateMachineArn: smArn(flow),
        name: run,
        status: s,
        startDate,
        ...(options.input && { input: JSON.stringify(options.input) }),
        ...more,
      },
    });
  /** Runs task `name` on inline `args` in run `run` (as map item `index`, if given); resolves to the error when the task fails. */
  const call = (run: string, name: string, args: unknown[], attempt = 0, index?: number) =>
    handle(
      request(
        name,
        args.map((v) => ({ v }) as never),
        { flow, run, attempt, ...(index === undefined ? {} : { index }) },
      ),
    ).catch((e: Error) => e);
  return { status, call };
}
